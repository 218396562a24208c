-- selftest cow.c vmsplice_in_child_base_page_swap: after fork, the child vmsplices the memory into a pipe and unmaps it; the parent's write does not reach the pipe (a swapped-out base page)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_in_child", "base_page_swap")
