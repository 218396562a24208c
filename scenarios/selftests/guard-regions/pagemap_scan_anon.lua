-- selftest guard-regions.c pagemap_scan_anon: PAGEMAP_SCAN with the guard category returns each guarded page as a region (private anonymous)
mm.include("../../lib/guard.lua").pagemap_scan("anon")
