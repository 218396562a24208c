-- selftest cow.c vmsplice_in_child_thp: after fork, the child vmsplices the memory into a pipe and unmaps it; the parent's write does not reach the pipe (a THP)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_in_child", "thp")
