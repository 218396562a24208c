-- selftest cow.c vmsplice_after_fork_thp_swap: the parent forks, vmsplices the memory into a pipe and unmaps it; the child's write does not reach the pipe (a swapped-out THP)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_after_fork", "thp_swap")
