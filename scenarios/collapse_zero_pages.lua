-- collapse_zero_pages: zero-page PTEs (a 2 MiB range read, one page of it
-- written) collapse into a real, anonymous THP with MADV_COLLAPSE, which
-- then counts 2 MiB in RssAnon.  With no writable PTE at all the scan says
-- SCAN_PAGE_RO and MADV_COLLAPSE fails with EINVAL (6.18).  Where the
-- kernel forbids the zero page, the reads allocated writable pages of
-- their own, and the first MADV_COLLAPSE already succeeds.
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local zp = mm.has("zero_page")
local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
-- THP "enabled" is madvise by default: faults map small pages here
p:touch(a, PMD, "r")
local ok, err = pcall(p.madvise, p, a, PMD, "collapse")
mm.observe("all_zero_pages", ok and "ok" or err:match("^E%u+"))
if zp then
	mm.expect(not ok and err:match("^EINVAL"), "nothing writable: EINVAL")
else
	mm.expect(ok, "no zero page: the reads made writable pages to collapse")
end
p:touch(a + 5 * PAGE, 1, "w")
local s0 = p:status()
p:madvise(a, PMD, "collapse")
local s1 = p:status()
mm.observe("thp_kb", p:smaps(a).AnonHugePages)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "collapsed")
mm.expect_eq(s1.RssAnon - s0.RssAnon, zp and 2044 or 0,
	     zp and "a real 2 MiB folio" or "no zero page: already 2 MiB")
mm.observe("exclusive", p:pagemap(a + 7 * PAGE).exclusive)
mm.expect(p:pagemap(a + 7 * PAGE).exclusive, "exclusive anonymous memory")
