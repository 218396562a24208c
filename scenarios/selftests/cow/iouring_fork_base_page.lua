-- selftest cow.c iouring_fork_base_page: a longterm R/W pin (io_uring fixed buffer) sees the process's write after fork (a base page)
mm.include("../../lib/cow.lua").iouring("iouring_fork", "base_page")
