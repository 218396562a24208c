-- selftest cow.c vmsplice_before_fork_pte_mapped_thp: the parent vmsplices the memory into a pipe, forks and unmaps it; the child's write does not reach the pipe (a PTE-mapped THP)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_before_fork", "pte_mapped_thp")
