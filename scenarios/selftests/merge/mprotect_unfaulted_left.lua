-- selftest merge.c mprotect_unfaulted_left: an unfaulted read-only VMA merges with its faulted right neighbour when that one is made read-only too
local t = mm.include("../../lib/merge.lua")
local a = t.map(1, 10, "rw", "noreserve")
t.p:mprotect(a, 5 * t.P, "r")		-- RO unfaulted | RW
t.write(a + 5 * t.P)			-- the RW part gets an anon_vma
t.p:mprotect(a + 5 * t.P, 5 * t.P, "r")	-- RO | RO: one VMA
t.check("merged", a, 1, 10)
