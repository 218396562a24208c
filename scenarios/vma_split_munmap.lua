-- vma_split_munmap: unmapping a page in the middle of a VMA leaves two
-- VMAs and a hole; the hole is no VMA at all.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 8 * PAGE}
p:touch(a, 8 * PAGE, "w")
local s0 = p:status()
p:munmap(a + 3 * PAGE, PAGE)
mm.observe("low_kb", p:smaps(a).Size)
mm.observe("hole", p:smaps(a + 3 * PAGE) == nil)
mm.observe("high_kb", p:smaps(a + 4 * PAGE).Size)
mm.observe("rss_anon_delta_kb", p:status().RssAnon - s0.RssAnon)
mm.expect_eq(p:smaps(a).Size, 12, "pages 0-2")
mm.expect(p:smaps(a + 3 * PAGE) == nil, "no VMA in the hole")
mm.expect_eq(p:smaps(a + 4 * PAGE).Size, 16, "pages 4-7")
mm.expect_eq(p:status().RssAnon - s0.RssAnon, -4, "the page was freed")
-- mapping the hole again with the same flags merges everything back
p:mmap{len = PAGE, addr = a + 3 * PAGE, flags = "private,anonymous,fixed"}
mm.observe("refilled_kb", p:smaps(a).Size)
mm.expect_eq(p:smaps(a).Size, 32, "one VMA again")
