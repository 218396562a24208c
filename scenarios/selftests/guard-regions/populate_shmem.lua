-- selftest guard-regions.c populate_shmem: MADV_POPULATE_READ and _WRITE over guards fail with EFAULT (shared memfd)
mm.include("../../lib/guard.lua").populate("shmem")
