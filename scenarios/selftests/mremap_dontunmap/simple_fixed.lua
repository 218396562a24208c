-- selftest mremap_dontunmap.c simple_fixed: MREMAP_DONTUNMAP with MREMAP_FIXED onto an existing mapping replaces it with the moved pages and leaves the source empty
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p, src, dst = mm.include("../../lib/dontunmap.lua")(5, 5)
mm.observe("dest_has_data", vma.holds(p, dst, 5 * P, "a"))
mm.observe("source_zero", vma.holds(p, src, 5 * P, "\0"))
mm.expect(vma.holds(p, dst, 5 * P, "a"), "the old pages of dest were replaced")
mm.expect(vma.holds(p, src, 5 * P, "\0"), "the source has no pages left")
