-- selftest merge.c mremap_unfaulted_behind_faulted: an unfaulted VMA moved by mremap right before a faulted one merges with it
local t = mm.include("../../lib/merge.lua")
local a = t.map(6, 5)
local b = t.map(14, 5)
b = t.move(b, 5, 1014)			-- out of the way
t.write(a)
b = t.move(b, 5, 1)			-- just before a
t.check("merged", b, 1, 10)
