-- selftest cow.c vmsplice_before_fork_thp: the parent vmsplices the memory into a pipe, forks and unmaps it; the child's write does not reach the pipe (a THP)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_before_fork", "thp")
