-- selftest merge.c mremap_unfaulted_to_faulted: an unfaulted VMA moved by mremap right behind a faulted one merges with it
local t = mm.include("../../lib/merge.lua")
local a = t.map(1, 5)
local b = t.map(7, 5)
b = t.move(b, 5, 1007)			-- out of the way
t.write(a)
t.move(b, 5, 6)				-- just after a
t.check("merged", a, 1, 10)
