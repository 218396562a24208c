-- selftest cow.c iouring_ro_pte_mapped_thp_swap: a longterm R/W pin (io_uring fixed buffer) sees the process's write after the PTEs were made read-only (mprotect, soft-dirty cleared) (a swapped-out PTE-mapped THP)
mm.include("../../lib/cow.lua").iouring("iouring_ro", "pte_mapped_thp_swap")
