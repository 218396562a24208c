-- selftest guard-regions.c cold_pageout_shmem: MADV_COLD and MADV_PAGEOUT leave guards in place (shared memfd)
mm.include("../../lib/guard.lua").cold_pageout("shmem")
