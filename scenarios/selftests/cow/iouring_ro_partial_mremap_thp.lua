-- selftest cow.c iouring_ro_partial_mremap_thp: a longterm R/W pin (io_uring fixed buffer) sees the process's write after the PTEs were made read-only (mprotect, soft-dirty cleared) (a THP whose upper half was mremap()ed away)
mm.include("../../lib/cow.lua").iouring("iouring_ro", "partial_mremap_thp")
