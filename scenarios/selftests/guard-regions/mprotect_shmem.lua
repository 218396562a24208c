-- selftest guard-regions.c mprotect_shmem: mprotect neither removes guards nor stops them being installed again (shared memfd)
mm.include("../../lib/guard.lua").mprotect("shmem")
