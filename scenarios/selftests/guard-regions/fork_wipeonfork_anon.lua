-- selftest guard-regions.c fork_wipeonfork_anon: a MADV_WIPEONFORK range reaches the child without its guards; the parent keeps them (private anonymous)
mm.include("../../lib/guard.lua").fork_wipeonfork("anon")
