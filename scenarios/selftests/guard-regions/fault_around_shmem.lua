-- selftest guard-regions.c fault_around_shmem: faulting the pages between guards (fault-around) leaves the guards in place (shared memfd)
mm.include("../../lib/guard.lua").fault_around("shmem")
