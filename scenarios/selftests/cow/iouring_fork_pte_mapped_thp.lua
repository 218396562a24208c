-- selftest cow.c iouring_fork_pte_mapped_thp: a longterm R/W pin (io_uring fixed buffer) sees the process's write after fork (a PTE-mapped THP)
mm.include("../../lib/cow.lua").iouring("iouring_fork", "pte_mapped_thp")
