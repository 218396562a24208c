-- selftest merge.c mprotect_faulted_left_unfaulted_right: a middle VMA made read-only merges with a faulted read-only left neighbour (same anon_vma) and an unfaulted read-only right one
local t = mm.include("../../lib/merge.lua")
local a = t.map(2, 9, "rw", "noreserve")
t.p:mprotect(a + 6 * t.P, 3 * t.P, "r")	-- RW | RO unfaulted
t.write(a)				-- the RW part gets an anon_vma
t.p:mprotect(a, 3 * t.P, "r")		-- RO faulted | RW faulted | RO unfaulted
t.p:mprotect(a + 3 * t.P, 3 * t.P, "r")
t.check("merged", a, 2, 9)
