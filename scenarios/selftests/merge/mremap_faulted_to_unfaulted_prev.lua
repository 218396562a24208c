-- selftest merge.c mremap_faulted_to_unfaulted_prev: a faulted VMA moved with MREMAP_DONTUNMAP right after an unfaulted one merges with it
local t = mm.include("../../lib/merge.lua")
local a = t.map(4, 3)
t.write(a)
a = t.move(a, 3, 20)
local b = t.map(1, 3)
t.move(a, 3, 4, ",dontunmap")
t.check("merged", b, 1, 6)
