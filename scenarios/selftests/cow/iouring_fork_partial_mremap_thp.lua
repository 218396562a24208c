-- selftest cow.c iouring_fork_partial_mremap_thp: a longterm R/W pin (io_uring fixed buffer) sees the process's write after fork (a THP whose upper half was mremap()ed away)
mm.include("../../lib/cow.lua").iouring("iouring_fork", "partial_mremap_thp")
