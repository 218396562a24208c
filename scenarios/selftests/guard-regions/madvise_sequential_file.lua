-- selftest guard-regions.c madvise_sequential_file: with MADV_SEQUENTIAL and pageout, guards stay and the other pages refault with their data (a regular file on disk, shared)
mm.include("../../lib/guard.lua").madvise_sequential("file")
