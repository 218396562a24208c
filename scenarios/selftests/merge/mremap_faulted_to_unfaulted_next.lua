-- selftest merge.c mremap_faulted_to_unfaulted_next: a faulted VMA moved with MREMAP_DONTUNMAP right before an unfaulted one merges with it
local t = mm.include("../../lib/merge.lua")
local a = t.map(1, 3)
t.write(a)
a = t.move(a, 3, 20)
t.map(4, 3)
a = t.move(a, 3, 1, ",dontunmap")
t.check("merged", a, 1, 6)
