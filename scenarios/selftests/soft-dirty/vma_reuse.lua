-- selftest soft-dirty.c vma_reuse: a new anonymous mapping reads soft-dirty, also when it reuses the address of one unmapped after clear_refs 4
local sd = mm.include("../../lib/soft_dirty.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = P}
local first = sd.bit(p, a)
p:clear_refs(4)
p:munmap(a, P)
local b = p:mmap{len = P}
mm.observe("new_mapping_dirty", first)
mm.observe("same_address", a == b)
mm.observe("reused_dirty", sd.bit(p, b))
mm.expect(first, "a new VMA is soft-dirty")
mm.expect_eq(b, a, "the freed address is given again")
mm.expect(sd.bit(p, b), "the new VMA at the old address is soft-dirty")
