-- selftest guard-regions.c dontneed_shmem: MADV_DONTNEED leaves guards in place; the other pages refault (anon: zeros, shmem: the file's data) (shared memfd)
mm.include("../../lib/guard.lua").dontneed("shmem")
