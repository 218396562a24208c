-- selftest merge.c mremap_faulted_to_unfaulted_prev_unfaulted_next: a faulted VMA moved with MREMAP_DONTUNMAP between two unfaulted ones merges all three
local t = mm.include("../../lib/merge.lua")
local b = t.map(4, 3)
t.write(b)
b = t.move(b, 3, 20)
local a = t.map(1, 3)
t.map(7, 3)
t.move(b, 3, 4, ",dontunmap")
t.check("merged", a, 1, 9)
