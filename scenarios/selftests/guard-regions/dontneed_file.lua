-- selftest guard-regions.c dontneed_file: MADV_DONTNEED leaves guards in place; the other pages refault (anon: zeros, shmem: the file's data) (a regular file on disk, shared)
mm.include("../../lib/guard.lua").dontneed("file")
