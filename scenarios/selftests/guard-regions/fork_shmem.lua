-- selftest guard-regions.c fork_shmem: a child inherits the guards; removing them in the child leaves the parent's (shared memfd)
mm.include("../../lib/guard.lua").fork("shmem")
