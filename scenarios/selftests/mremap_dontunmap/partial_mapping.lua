-- selftest mremap_dontunmap.c partial_mapping: MREMAP_DONTUNMAP of the last 5 of 10 pages moves those, and leaves the first 5 in place and the last 5 mapped but empty
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local src = p:mmap{len = 10 * P}
vma.set(p, src, 10 * P, "a")
local dst = p:mremap(src + 5 * P, 5 * P, 5 * P, "maymove,dontunmap")
mm.observe("first_half_kept", vma.holds(p, src, 5 * P, "a"))
mm.observe("second_half_zero", vma.holds(p, src + 5 * P, 5 * P, "\0"))
mm.observe("dest_has_data", vma.holds(p, dst, 5 * P, "a"))
mm.expect(vma.holds(p, src, 5 * P, "a"), "the first half is untouched")
mm.expect(vma.holds(p, src + 5 * P, 5 * P, "\0"), "the moved half left no pages")
mm.expect(vma.holds(p, dst, 5 * P, "a"), "the moved half is at the new place")
