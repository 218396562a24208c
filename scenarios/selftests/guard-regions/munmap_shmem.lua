-- selftest guard-regions.c munmap_shmem: unmapping guarded pages removes the guards: a new mapping there is usable (shared memfd)
mm.include("../../lib/guard.lua").munmap("shmem")
