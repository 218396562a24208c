-- selftest merge.c mremap_unfaulted_between_faulted_unfaulted: an unfaulted VMA moved between a faulted and an unfaulted VMA merges all three
local t = mm.include("../../lib/merge.lua")
local a, b, c = t.three_apart()
t.write(a)
t.move(c, 5, 11)			-- room for b at 6
t.move(b, 5, 6)
t.check("merged", a, 1, 15)
