-- selftest guard-regions.c cold_pageout_anon: MADV_COLD and MADV_PAGEOUT leave guards in place (private anonymous)
mm.include("../../lib/guard.lua").cold_pageout("anon")
