-- selftest guard-regions.c dontneed_anon: MADV_DONTNEED leaves guards in place; the other pages refault (anon: zeros, shmem: the file's data) (private anonymous)
mm.include("../../lib/guard.lua").dontneed("anon")
