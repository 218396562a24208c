-- selftest guard-regions.c pagemap_file: pagemap's guard bit marks exactly the guarded pages (a regular file on disk, shared)
mm.include("../../lib/guard.lua").pagemap("file")
