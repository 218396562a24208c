-- selftest guard-regions.c madvise_sequential_shmem: with MADV_SEQUENTIAL and pageout, guards stay and the other pages refault with their data (shared memfd)
mm.include("../../lib/guard.lua").madvise_sequential("shmem")
