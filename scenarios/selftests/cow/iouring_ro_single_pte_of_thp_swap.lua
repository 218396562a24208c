-- selftest cow.c iouring_ro_single_pte_of_thp_swap: a longterm R/W pin (io_uring fixed buffer) sees the process's write after the PTEs were made read-only (mprotect, soft-dirty cleared) (a swapped-out single PTE of a THP)
mm.include("../../lib/cow.lua").iouring("iouring_ro", "single_pte_of_thp_swap")
