-- selftest cow.c vmsplice_after_fork_single_pte_of_thp: the parent forks, vmsplices the memory into a pipe and unmaps it; the child's write does not reach the pipe (a single PTE of a THP)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_after_fork", "single_pte_of_thp")
