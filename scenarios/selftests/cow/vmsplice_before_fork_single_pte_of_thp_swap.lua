-- selftest cow.c vmsplice_before_fork_single_pte_of_thp_swap: the parent vmsplices the memory into a pipe, forks and unmaps it; the child's write does not reach the pipe (a swapped-out single PTE of a THP)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_before_fork", "single_pte_of_thp_swap")
