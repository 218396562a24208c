-- selftest merge.c mprotect_unfaulted_left_faulted_right: a middle VMA made read-only merges with an unfaulted read-only left neighbour and a faulted read-only right one (same anon_vma)
local t = mm.include("../../lib/merge.lua")
local a = t.map(2, 9, "rw", "noreserve")
t.p:mprotect(a, 3 * t.P, "r")		-- RO unfaulted | RW
t.write(a + 3 * t.P)			-- the RW part gets an anon_vma
t.p:mprotect(a + 6 * t.P, 3 * t.P, "r")	-- RO unfaulted | RW faulted | RO faulted
t.p:mprotect(a + 3 * t.P, 3 * t.P, "r")
t.check("merged", a, 2, 9)
