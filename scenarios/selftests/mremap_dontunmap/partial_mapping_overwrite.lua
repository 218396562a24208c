-- selftest mremap_dontunmap.c partial_mapping_overwrite: MREMAP_DONTUNMAP | MREMAP_FIXED of 5 pages onto the start of a 10-page mapping replaces only those 5 pages and leaves the source empty
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p, src, dst = mm.include("../../lib/dontunmap.lua")(5, 10)
mm.observe("source_zero", vma.holds(p, src, 5 * P, "\0"))
mm.observe("dest_first_half", vma.holds(p, dst, 5 * P, "a"))
mm.observe("dest_second_half", vma.holds(p, dst + 5 * P, 5 * P, "X"))
mm.expect(vma.holds(p, src, 5 * P, "\0"), "the source has no pages left")
mm.expect(vma.holds(p, dst, 5 * P, "a"), "the first half of dest was replaced")
mm.expect(vma.holds(p, dst + 5 * P, 5 * P, "X"), "the rest of dest is untouched")
