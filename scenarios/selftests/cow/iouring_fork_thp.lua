-- selftest cow.c iouring_fork_thp: a longterm R/W pin (io_uring fixed buffer) sees the process's write after fork (a THP)
mm.include("../../lib/cow.lua").iouring("iouring_fork", "thp")
