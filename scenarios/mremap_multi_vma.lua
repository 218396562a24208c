-- mremap_multi_vma: a MREMAP_FIXED move that keeps the size moves every
-- VMA of the range (6.17+ remap_move), each cut at the range's ends, with
-- the gaps between them kept; the range must start in a VMA, and a VMA
-- registered with userfaultfd moves only alone.  Observed on 6.18.
local P = mm.PAGE_SIZE
local vma = mm.include("lib/vma.lua")
local p = mm.spawn()
local m = p:mmap{len = 512 * P}
p:munmap(m, 512 * P)
-- three VMAs (rw, r, rw) with a hole, moved from inside the first to
-- inside the last
local a = vma.fixed(p, m, 16)
p:fill(a, 16 * P, 1)
p:mprotect(a + 4 * P, 2 * P, "r")
p:munmap(a + 8 * P, 2 * P)
local before = p:read(a + 2 * P, 2 * P) .. p:read(a + 4 * P, 2 * P) .. p:read(a + 10 * P, 4 * P)
local dst = m + 100 * P
local r = p:mremap(a + 2 * P, 12 * P, 12 * P, "maymove,fixed", dst)
mm.observe("ret_dst", r == dst)
mm.observe("dst_first", vma.span(p, dst, dst))
mm.observe("dst_second", vma.span(p, dst, dst + 2 * P))
mm.observe("dst_hole", vma.span(p, dst, dst + 6 * P))
mm.observe("dst_third", vma.span(p, dst, dst + 8 * P))
mm.observe("dst_data", p:read(dst, 4 * P) .. p:read(dst + 8 * P, 4 * P) == before)
mm.observe("src_left", vma.span(p, a, a))
mm.observe("src_right", vma.span(p, a, a + 14 * P))
mm.observe("src_moved_gone", p:smaps(a + 2 * P) == nil and p:smaps(a + 10 * P) == nil)

-- the destination's holes are not unmapped: what was there stays
local b = vma.fixed(p, m + 200 * P, 10)
p:munmap(b + 4 * P, 2 * P)
local d2 = m + 300 * P
vma.fixed(p, d2, 10)
p:touch(d2, 10 * P, "w")
p:mremap(b, 10 * P, 10 * P, "maymove,fixed", d2)
mm.observe("dst_hole_page_kept", p:pagemap(d2 + 4 * P).present)
-- (the moved unwritten pieces merge with what is left of the old mapping)
mm.observe("dst_after", vma.span(p, d2, d2 + 4 * P))

-- userfaultfd: a registered VMA moves only as the one VMA of the range
local u = vma.fixed(p, m + 400 * P, 4)
local u2 = vma.fixed(p, u + 4 * P, 4, "r")
p:uffd_register(u, 4 * P, "missing")
local ok, err = pcall(p.mremap, p, u, 8 * P, 8 * P, "maymove,fixed", m + 450 * P)
mm.observe("uffd_first_of_two", ok and "ok" or err:match("^%u+"))
ok, err = pcall(p.mremap, p, u - 4 * P, 8 * P, 8 * P, "maymove,fixed", m + 450 * P)
mm.observe("uffd_after_hole", ok and "ok" or err:match("^%u+"))
ok, err = pcall(p.mremap, p, u, 4 * P, 4 * P, "maymove,fixed", m + 450 * P)
mm.observe("uffd_alone", ok and "ok" or err:match("^%u+"))
