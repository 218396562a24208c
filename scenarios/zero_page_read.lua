-- zero_page_read: a read fault on private anonymous memory maps the shared
-- zero page: present, not exclusive, not counted in RssAnon, the same PFN
-- for every page.  A later write replaces it with a real page.  Where the
-- kernel forbids the zero page (mm_forbids_zeropage: some architectures,
-- some paravirtualized guests), the read fault allocates a page of its own
-- instead: exclusive, in RssAnon, and the write reuses it.
local PAGE = mm.PAGE_SIZE
local zp = mm.has("zero_page")
local p = mm.spawn()
local s0 = p:status()
local a = p:mmap{len = 8 * PAGE}
p:touch(a, 8 * PAGE, "r")
local pm = p:pagemap(a, 8)
local same, present, excl = true, 0, 0
for _, e in ipairs(pm) do
	if e.pfn ~= pm[1].pfn then same = false end
	if e.present then present = present + 1 end
	if e.exclusive then excl = excl + 1 end
end
local s1 = p:status()
mm.observe("present", present)
mm.observe("exclusive", excl)
mm.observe("same_pfn", same)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.expect_eq(present, 8, "read faults map a page")
mm.expect_eq(p:read(a + 5, 3), "\0\0\0", "reads return zeros")
if zp then
	mm.expect_eq(excl, 0, "the zero page is never exclusive")
	mm.expect(same, "every page maps the same (zero) frame")
	mm.expect_eq(s1.RssAnon - s0.RssAnon, 0, "the zero page is not RssAnon")
else
	mm.expect_eq(excl, 8, "no zero page: each read allocated its own page")
	mm.expect(not same, "no zero page: 8 frames")
	mm.expect_eq(s1.RssAnon - s0.RssAnon, 32, "no zero page: 8 pages of RssAnon")
end

p:touch(a, PAGE, "w")
local w = p:pagemap(a)
mm.observe("after_write_exclusive", w.exclusive)
mm.observe("after_write_new_pfn", w.pfn ~= pm[1].pfn)
mm.observe("after_write_rss_delta_kb", p:status().RssAnon - s0.RssAnon)
mm.expect(w.exclusive, "the written page is exclusive")
if zp then
	mm.expect(w.pfn ~= pm[1].pfn, "the write replaced the zero page")
	mm.expect_eq(p:status().RssAnon - s0.RssAnon, 4, "one page of RssAnon")
else
	mm.expect(w.pfn == pm[1].pfn, "no zero page: the write reuses the page")
	mm.expect_eq(p:status().RssAnon - s0.RssAnon, 32, "still 8 pages")
end
