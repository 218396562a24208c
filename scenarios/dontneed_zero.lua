-- dontneed_zero: MADV_DONTNEED drops private anonymous pages: RSS falls,
-- pagemap shows nothing mapped, and the next read sees zeros.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 16 * PAGE}
p:fill(a, 16 * PAGE, 3)
local s0 = p:status()
p:madvise(a, 8 * PAGE, "dontneed")
local s1 = p:status()
local present = p:pagemap(a).present
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("present_after", present)
mm.observe("zero_after", p:read(a, 16) == string.rep("\0", 16))
mm.observe("rest_kept", p:verify(a + 8 * PAGE, 8 * PAGE, 3) == true)
mm.expect_eq(s1.RssAnon - s0.RssAnon, -32, "8 pages freed")
mm.expect(not present, "not mapped any more")
mm.expect_eq(p:read(a, 16), string.rep("\0", 16), "zero-filled on the next fault")
mm.expect_eq(p:verify(a + 8 * PAGE, 8 * PAGE, 3), true, "the rest is untouched")
mm.expect_eq(p:smaps(a).Size, 64, "the VMA stays")
