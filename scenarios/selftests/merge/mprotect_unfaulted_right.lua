-- selftest merge.c mprotect_unfaulted_right: a faulted VMA made read-only merges with its unfaulted read-only right neighbour
local t = mm.include("../../lib/merge.lua")
local a = t.map(1, 10, "rw", "noreserve")
t.p:mprotect(a + 5 * t.P, 5 * t.P, "r")	-- RW | RO unfaulted
t.write(a)				-- the RW part gets an anon_vma
t.p:mprotect(a, 5 * t.P, "r")		-- RO | RO: one VMA
t.check("merged", a, 1, 10)
