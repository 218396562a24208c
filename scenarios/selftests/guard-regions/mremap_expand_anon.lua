-- selftest guard-regions.c mremap_expand_anon: guards keep their place when the mapping grows in place and when it moves and grows (private anonymous)
mm.include("../../lib/guard.lua").mremap_expand("anon")
