-- selftest cow.c iouring_fork_single_pte_of_thp: a longterm R/W pin (io_uring fixed buffer) sees the process's write after fork (a single PTE of a THP)
mm.include("../../lib/cow.lua").iouring("iouring_fork", "single_pte_of_thp")
