-- selftest cow.c vmsplice_after_fork_base_page_swap: the parent forks, vmsplices the memory into a pipe and unmaps it; the child's write does not reach the pipe (a swapped-out base page)
mm.include("../../lib/cow.lua").vmsplice("vmsplice_after_fork", "base_page_swap")
