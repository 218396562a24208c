-- selftest cow.c vmsplice_before_fork_base_page_swap: the parent vmsplices the memory into a pipe, forks and unmaps it; the child's write does not reach the pipe (a swapped-out base page)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_before_fork", "base_page_swap")
