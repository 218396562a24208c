-- selftest cow.c iouring_fork_partial_shared_thp: a longterm R/W pin (io_uring fixed buffer) sees the process's write after fork (a THP of which only the first page was shared)
mm.include("../../lib/cow.lua").iouring("iouring_fork", "partial_shared_thp")
