-- selftest merge.c mremap_unfaulted_between_faulted: an unfaulted VMA moved between two faulted VMAs with different anon_vmas merges with the one before it only
local t = mm.include("../../lib/merge.lua")
local a, b, c = t.three_apart()
t.write(a)
t.write(c)
c = t.move(c, 5, 11)			-- room for b at 6
t.move(b, 5, 6)
t.check("merged", a, 1, 10)
t.check("apart", c, 11, 5)
