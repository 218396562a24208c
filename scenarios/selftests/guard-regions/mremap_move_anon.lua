-- selftest guard-regions.c mremap_move_anon: guards move with the mapping (private anonymous)
mm.include("../../lib/guard.lua").mremap_move("anon")
