-- collapse_single_pte_entry: with max_ptes_none at 511 (the default)
-- khugepaged collapses a 2 MiB range in which a single page is present
-- (selftests/mm/khugepaged.c collapse_single_pte_entry): the THP counts
-- 2 MiB of RSS where there were 4 kB (RssAnon +2044), the written page
-- keeps its data and the other 511 read zero (observed on 6.18).
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local KHP = THP .. "khugepaged/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(KHP .. "max_ptes_none", 511)
local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 2 * PMD, "nohugepage")
p:fill(a + 77 * PAGE, PAGE, 8)
-- counters first: MADV_HUGEPAGE may wake khugepaged at once
local s0 = p:status()
local v0 = mm.vmstat()
p:madvise(m, 2 * PMD, "hugepage")
mm.khugepaged_scan(2)
local v1 = mm.vmstat()
local s1 = p:status()
mm.observe("thp_kb", p:smaps(a).AnonHugePages)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("collapse_alloc_delta", v1.thp_collapse_alloc - v0.thp_collapse_alloc)
mm.observe("present_512", p:pagemap(a + 511 * PAGE).present)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "collapsed")
mm.expect_eq(s1.RssAnon - s0.RssAnon, 2044, "511 zeroed pages added")
mm.expect_eq(v1.thp_collapse_alloc - v0.thp_collapse_alloc, 1, "thp_collapse_alloc +1")
mm.observe("data_kept", p:verify(a + 77 * PAGE, PAGE, 8) == true)
mm.expect_eq(p:verify(a + 77 * PAGE, PAGE, 8), true, "data kept")
mm.expect_eq(p:read(a + 78 * PAGE, 8), string.rep("\0", 8), "the rest is zero")
