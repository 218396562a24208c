-- selftest guard-regions.c pagemap_anon: pagemap's guard bit marks exactly the guarded pages (private anonymous)
mm.include("../../lib/guard.lua").pagemap("anon")
