-- selftest guard-regions.c mremap_shrink_shmem: a shrink drops the guards past the new end; growing back does not restore them (shared memfd)
mm.include("../../lib/guard.lua").mremap_shrink("shmem")
