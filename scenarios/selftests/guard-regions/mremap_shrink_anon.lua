-- selftest guard-regions.c mremap_shrink_anon: a shrink drops the guards past the new end; growing back does not restore them (private anonymous)
mm.include("../../lib/guard.lua").mremap_shrink("anon")
