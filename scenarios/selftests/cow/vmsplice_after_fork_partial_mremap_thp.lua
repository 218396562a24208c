-- selftest cow.c vmsplice_after_fork_partial_mremap_thp: the parent forks, vmsplices the memory into a pipe and unmaps it; the child's write does not reach the pipe (a THP whose upper half was mremap()ed away)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_after_fork", "partial_mremap_thp")
