-- selftest cow.c vmsplice_in_child_mprotect_pte_mapped_thp: after fork, the child vmsplices the memory into a pipe and unmaps it; the parent's write does not reach the pipe, also after mprotect(PROT_READ) and back in the parent (a PTE-mapped THP)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_in_child_mprotect", "pte_mapped_thp")
