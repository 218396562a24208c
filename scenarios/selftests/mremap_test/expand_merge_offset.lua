-- selftest mremap_test.c expand_merge_offset: growing the middle page of a 3-page mapping whose last page was unmapped, in place, brings the mapping back as one VMA
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 3 * P}
p:munmap(a + 2 * P, P)
local res = vma.try(p.mremap, p, a + P, P, 2 * P)
mm.observe("mremap", res)
mm.observe("vma", vma.span(p, a, a))
mm.expect_eq(res, "ok", "grows in place")
mm.expect_eq(vma.span(p, a, a), "0..3", "one VMA of 3 pages")
