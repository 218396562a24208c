-- selftest guard-regions.c pagemap_scan_file: PAGEMAP_SCAN with the guard category returns each guarded page as a region (a regular file on disk, shared)
mm.include("../../lib/guard.lua").pagemap_scan("file")
