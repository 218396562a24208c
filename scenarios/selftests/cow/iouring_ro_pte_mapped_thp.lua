-- selftest cow.c iouring_ro_pte_mapped_thp: a longterm R/W pin (io_uring fixed buffer) sees the process's write after the PTEs were made read-only (mprotect, soft-dirty cleared) (a PTE-mapped THP)
mm.include("../../lib/cow.lua").iouring("iouring_ro", "pte_mapped_thp")
