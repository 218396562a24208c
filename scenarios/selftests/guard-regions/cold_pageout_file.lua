-- selftest guard-regions.c cold_pageout_file: MADV_COLD and MADV_PAGEOUT leave guards in place (a regular file on disk, shared)
mm.include("../../lib/guard.lua").cold_pageout("file")
