-- selftest guard-regions.c anon_zeropage_shmem: guards in a read-only mapping whose pages were never written; reads zeros once removed (shared memfd)
mm.include("../../lib/guard.lua").anon_zeropage("shmem")
