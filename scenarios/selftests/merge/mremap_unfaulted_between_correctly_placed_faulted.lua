-- selftest merge.c mremap_unfaulted_between_correctly_placed_faulted: an unfaulted VMA moved into the hole between two parts of one faulted VMA (same anon_vma, offsets in line) merges all three
local t = mm.include("../../lib/merge.lua")
local a = t.map(1, 15)
t.write(a)
t.p:munmap(a + 5 * t.P, 5 * t.P)	-- two faulted parts, compatible
local b = t.map(20, 5)
t.move(b, 5, 6)
t.check("merged", a, 1, 15)
