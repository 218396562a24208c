-- mremap_resize: shrinking unmaps the tail (and frees its pages), growing
-- stays in place when the room after the VMA is free (and the grown VMA
-- merges with a compatible next one), and moves with MREMAP_MAYMOVE when
-- it is not.  Observed on 6.18 (mm/mremap.c: shrink_vma, expand_vma,
-- vma_merge_extend).
local P = mm.PAGE_SIZE
local vma = mm.include("lib/vma.lua")
local p = mm.spawn()
local m = p:mmap{len = 256 * P}
p:munmap(m, 256 * P)
-- shrink: the tail goes, with its pages
local a = vma.fixed(p, m, 16)
p:fill(a, 16 * P, 1)
local rss = p:status().RssAnon
mm.observe("shrink_ret_same", p:mremap(a, 16 * P, 6 * P) == a)
mm.observe("shrink_span", vma.span(p, a, a))
mm.observe("shrink_rss_delta", p:status().RssAnon - rss)
mm.observe("shrink_data", p:verify(a, 6 * P, 1) == true)
local ok, err = pcall(p.touch, p, a + 6 * P, 1, "w")
mm.observe("shrunk_tail", ok and "mapped" or err:match("SIGSEGV") or err)
-- same size: nothing happens
mm.observe("noop_ret_same", p:mremap(a, 6 * P, 6 * P, "maymove") == a)

-- grow in place, into free room: written pages stay, the new ones are empty
rss = p:status().RssAnon
mm.observe("grow_ret_same", p:mremap(a, 6 * P, 10 * P) == a)
mm.observe("grow_span", vma.span(p, a, a))
mm.observe("grow_rss_delta", p:status().RssAnon - rss)
mm.observe("grow_data", p:verify(a, 6 * P, 1) == true)
p:touch(a + 6 * P, 4 * P, "w")
mm.observe("grow_written_rss_delta", p:status().RssAnon - rss)

-- grow up to a compatible unwritten VMA: one VMA
vma.fixed(p, a + 12 * P, 4)
p:mremap(a, 10 * P, 12 * P)
mm.observe("grow_merge_span", vma.span(p, a, a))

-- grow up to an incompatible VMA: in place fails, MAYMOVE moves
local b = vma.fixed(p, m + 64 * P, 4)
p:fill(b, 4 * P, 2)
local data = p:read(b, 4 * P)
vma.fixed(p, b + 4 * P, 1, "r")
local ok2, err2 = pcall(p.mremap, p, b, 4 * P, 8 * P)
mm.observe("grow_blocked", ok2 and "ok" or err2:match("^%u+"))
local nb = p:mremap(b, 4 * P, 8 * P, "maymove")
mm.observe("grow_moved", nb ~= b)
mm.observe("grow_moved_data", p:read(nb, 4 * P) == data)
mm.observe("grow_moved_size_kb", p:smaps(nb).Size)
mm.observe("grow_moved_old_gone", p:smaps(b) == nil)

-- growing a part in the middle of a VMA moves that part out of it
local c = vma.fixed(p, m + 128 * P, 8)
p:fill(c, 8 * P, 3)
data = p:read(c + 2 * P, 2 * P)
local nc = p:mremap(c + 2 * P, 2 * P, 3 * P, "maymove")
mm.observe("mid_grow_data", p:read(nc, 2 * P) == data)
mm.observe("mid_grow_left", vma.span(p, c, c))
mm.observe("mid_grow_right", vma.span(p, c, c + 4 * P))
mm.observe("mid_grow_new_kb", p:smaps(nc).Size)
