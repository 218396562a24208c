-- selftest mremap_dontunmap.c simple: MREMAP_DONTUNMAP of a whole private anonymous mapping moves its pages to the new place and leaves the old range mapped but empty
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local src = p:mmap{len = 5 * P}
vma.set(p, src, 5 * P, "a")
local dst = p:mremap(src, 5 * P, 5 * P, "maymove,dontunmap")
mm.observe("moved", dst ~= src)
mm.observe("dest_has_data", vma.holds(p, dst, 5 * P, "a"))
mm.observe("source_mapped", vma.span(p, src, src))
mm.observe("source_zero", vma.holds(p, src, 5 * P, "\0"))
mm.expect(vma.holds(p, dst, 5 * P, "a"), "the pages moved")
mm.expect(vma.holds(p, src, 5 * P, "\0"), "the source has no pages left")
