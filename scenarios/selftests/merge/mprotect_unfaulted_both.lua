-- selftest merge.c mprotect_unfaulted_both: a faulted middle VMA made read-only merges with unfaulted read-only neighbours on both sides
local t = mm.include("../../lib/merge.lua")
local a = t.map(2, 9, "rw", "noreserve")
t.p:mprotect(a, 3 * t.P, "r")
t.p:mprotect(a + 6 * t.P, 3 * t.P, "r")	-- RO | RW | RO, all unfaulted
t.write(a + 3 * t.P)			-- the middle gets an anon_vma
t.p:mprotect(a + 3 * t.P, 3 * t.P, "r")
t.check("merged", a, 2, 9)
