-- selftest guard-regions.c split_merge_anon: guards stay through VMA splits (munmap, mprotect) and merges, and are removed across split VMAs (private anonymous)
mm.include("../../lib/guard.lua").split_merge("anon")
