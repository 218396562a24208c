-- selftest cow.c iouring_fork_pte_mapped_thp_swap: a longterm R/W pin (io_uring fixed buffer) sees the process's write after fork (a swapped-out PTE-mapped THP)
mm.include("../../lib/cow.lua").iouring("iouring_fork", "pte_mapped_thp_swap")
