-- selftest cow.c vmsplice_before_fork_partial_mremap_thp: the parent vmsplices the memory into a pipe, forks and unmaps it; the child's write does not reach the pipe (a THP whose upper half was mremap()ed away)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_before_fork", "partial_mremap_thp")
