-- selftest cow.c iouring_ro_base_page_swap: a longterm R/W pin (io_uring fixed buffer) sees the process's write after the PTEs were made read-only (mprotect, soft-dirty cleared) (a swapped-out base page)
mm.include("../../lib/cow.lua").iouring("iouring_ro", "base_page_swap")
