-- selftest guard-regions.c mlock_shmem: installing over mlocked pages is EINVAL; removing over locked pages is allowed (shared memfd)
mm.include("../../lib/guard.lua").mlock("shmem")
