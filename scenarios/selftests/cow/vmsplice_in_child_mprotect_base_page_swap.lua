-- selftest cow.c vmsplice_in_child_mprotect_base_page_swap: after fork, the child vmsplices the memory into a pipe and unmaps it; the parent's write does not reach the pipe, also after mprotect(PROT_READ) and back in the parent (a swapped-out base page)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_in_child_mprotect", "base_page_swap")
