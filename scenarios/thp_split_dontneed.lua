-- thp_split_dontneed: MADV_DONTNEED of one 4 KiB page in the middle of a
-- PMD-mapped THP splits the PMD (zap_pmd_range: the range does not cover
-- the whole PMD -> __split_huge_pmd, thp_split_pmd +1) and zaps one PTE:
-- the VMA stays whole, AnonHugePages falls to 0, RSS drops by 4 KiB, the
-- page reads zero afterwards (a new small page) and the other 511 keep
-- their data.  MADV_DONTNEED of the whole 2 MiB zaps the PMD without a
-- split and frees the whole folio (observed on 6.18).  max_ptes_none is 0
-- here so that the host's khugepaged, waking on its own timer, cannot
-- collapse the split range (511 pages) again while the script looks.
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local p = mm.spawn()
local m = p:mmap{len = 3 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 3 * PMD, "hugepage")
p:fill(a, 2 * PMD, 9)
mm.expect_eq(p:smaps(a).AnonHugePages, 4096, "two THPs to start with")
local s0 = p:status()
local v0 = mm.vmstat()
local mid = a + 300 * PAGE
p:madvise(mid, PAGE, "dontneed")
local v1 = mm.vmstat()
local s1 = p:status()
mm.observe("split_pmd_delta", v1.thp_split_pmd - v0.thp_split_pmd)
mm.observe("thp_kb", p:smaps(a).AnonHugePages)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("vma_size_kb", p:smaps(a).Size)
mm.observe("page_present", p:pagemap(mid).present)
mm.expect_eq(v1.thp_split_pmd - v0.thp_split_pmd, 1, "one PMD split")
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "only the other THP is left")
mm.expect_eq(s1.RssAnon - s0.RssAnon, -4, "RSS drops by one page")
mm.expect(not p:pagemap(mid).present, "the page is gone")
mm.observe("zero_after", p:read(mid, 8) == string.rep("\0", 8))
mm.observe("data_before", p:verify(a, 300 * PAGE, 9) == true)
mm.observe("data_after", p:verify(mid + PAGE, 211 * PAGE, 9) == true)
mm.expect_eq(p:read(mid, 8), string.rep("\0", 8), "reads zero again")
mm.expect_eq(p:verify(a, 300 * PAGE, 9), true, "data below kept")
mm.expect_eq(p:verify(mid + PAGE, 211 * PAGE, 9), true, "data above kept")

-- the whole second THP: no split
local s2 = p:status()
local w0 = mm.vmstat()
p:madvise(a + PMD, PMD, "dontneed")
local w1 = mm.vmstat()
local s3 = p:status()
mm.observe("whole_split_pmd_delta", w1.thp_split_pmd - w0.thp_split_pmd)
mm.observe("whole_rss_anon_delta_kb", s3.RssAnon - s2.RssAnon)
mm.expect_eq(w1.thp_split_pmd - w0.thp_split_pmd, 0, "whole PMD: no split")
mm.expect_eq(s3.RssAnon - s2.RssAnon, -2048, "2 MiB freed")
mm.expect_eq(p:smaps(a).AnonHugePages, 0, "no THP left")
