-- selftest cow.c vmsplice_in_child_single_pte_of_thp: after fork, the child vmsplices the memory into a pipe and unmaps it; the parent's write does not reach the pipe (a single PTE of a THP)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_in_child", "single_pte_of_thp")
