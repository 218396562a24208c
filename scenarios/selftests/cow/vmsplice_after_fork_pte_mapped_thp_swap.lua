-- selftest cow.c vmsplice_after_fork_pte_mapped_thp_swap: the parent forks, vmsplices the memory into a pipe and unmaps it; the child's write does not reach the pipe (a swapped-out PTE-mapped THP)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_after_fork", "pte_mapped_thp_swap")
