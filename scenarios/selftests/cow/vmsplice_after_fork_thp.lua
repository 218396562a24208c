-- selftest cow.c vmsplice_after_fork_thp: the parent forks, vmsplices the memory into a pipe and unmaps it; the child's write does not reach the pipe (a THP)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_after_fork", "thp")
