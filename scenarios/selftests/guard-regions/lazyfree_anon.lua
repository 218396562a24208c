-- selftest guard-regions.c lazyfree_anon: MADV_FREE leaves guards in place (private anonymous)
mm.include("../../lib/guard.lua").lazyfree("anon")
