-- selftest merge.c mremap_faulted_to_unfaulted_prev_faulted_next: a faulted VMA moved with MREMAP_DONTUNMAP back between an unfaulted VMA and the rest of its own VMA merges all three
local t = mm.include("../../lib/merge.lua")
local bc = t.map(4, 6)			-- one VMA: one anon_vma, offsets in line
t.write(bc)
local b = t.move(bc, 3, 20)		-- the first half away; the rest stays
local a = t.map(1, 3)
t.move(b, 3, 4, ",dontunmap")
t.check("merged", a, 1, 9)
