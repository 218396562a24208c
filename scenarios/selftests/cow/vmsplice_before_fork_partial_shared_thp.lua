-- selftest cow.c vmsplice_before_fork_partial_shared_thp: the parent vmsplices the memory into a pipe, forks and unmaps it; the child's write does not reach the pipe (a THP of which only the first page was shared)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_before_fork", "partial_shared_thp")
