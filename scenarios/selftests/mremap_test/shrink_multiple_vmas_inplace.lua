-- selftest mremap_test.c shrink_multiple_vmas_inplace: shrinking a 10-page range of 5 one-page VMAs with holes to one page (in place) succeeds
local t = mm.include("../../lib/mremap_multi.lua")
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p, a, tgt = t.holes(10)
local res, r = vma.try(p.mremap, p, a, 10 * P, P)
mm.observe("mremap", res)
mm.observe("left", r and vma.span(p, r, r) or "none")
mm.observe("rest_unmapped", vma.span(p, a, a + 2 * P))
mm.expect_eq(res, "ok", "the shrink succeeds")
