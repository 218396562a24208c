-- selftest guard-regions.c pagemap_scan_shmem: PAGEMAP_SCAN with the guard category returns each guarded page as a region (shared memfd)
mm.include("../../lib/guard.lua").pagemap_scan("shmem")
