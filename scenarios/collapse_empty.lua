-- collapse_empty: khugepaged does not collapse a MADV_HUGEPAGE range in
-- which nothing is mapped (selftests/mm/khugepaged.c collapse_empty): with
-- no page table it skips the PMD (SCAN_PMD_NONE), and with a page table of
-- 512 none PTEs it stops at max_ptes_none (511 < 512, SCAN_EXCEED_NONE_PTE,
-- thp_scan_exceed_none_pte grows).  MADV_COLLAPSE, which ignores
-- max_ptes_none, turns the range with a page table of none PTEs into a
-- THP of zeroes (2 MiB more RSS), but answers EINVAL for the range with no
-- page table at all (the scan ends in SCAN_PMD_NONE, tracepoint
-- mm_khugepaged_scan_pmd status=pmd_none, which MADV_COLLAPSE reports as
-- EINVAL) and leaves it empty (observed on 6.18: a
-- surprise, MADV_COLLAPSE "zero-fills missing pages" only under a PMD that
-- has a table).
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local KHP = THP .. "khugepaged/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(KHP .. "max_ptes_none", 511)
local p = mm.spawn()
local m = p:mmap{len = 3 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 3 * PMD, "nohugepage")
-- second 2 MiB: a page table whose PTEs are all none again
p:touch(a + PMD, PAGE, "w")
p:madvise(a + PMD, PAGE, "dontneed")
p:madvise(m, 3 * PMD, "hugepage")
local s0 = p:status()
local v0 = mm.vmstat()
mm.khugepaged_scan(2)
local v1 = mm.vmstat()
local s1 = p:status()
mm.observe("thp_kb", p:smaps(a).AnonHugePages)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("vmpte_delta_kb", s1.VmPTE - s0.VmPTE)
mm.observe("exceed_none_grew", v1.thp_scan_exceed_none_pte > v0.thp_scan_exceed_none_pte)
mm.expect_eq(p:smaps(a).AnonHugePages, 0, "nothing collapsed")
mm.expect_eq(s1.RssAnon - s0.RssAnon, 0, "nothing allocated")
mm.expect(v1.thp_scan_exceed_none_pte > v0.thp_scan_exceed_none_pte,
	"the empty page table exceeds max_ptes_none")

local errno = mm.errno
mm.observe("madv_collapse_no_table", errno(p.madvise, p, a, PMD, "collapse"))
mm.observe("madv_collapse_no_table_thp_kb", p:smaps(a).AnonHugePages)
mm.observe("madv_collapse_empty_table", errno(p.madvise, p, a + PMD, PMD, "collapse"))
mm.observe("madv_collapse_thp_kb", p:smaps(a).AnonHugePages)
mm.observe("madv_collapse_rss_anon_delta_kb", p:status().RssAnon - s1.RssAnon)
mm.expect_eq(errno(p.madvise, p, a, PMD, "collapse"), "EINVAL", "no page table: EINVAL")
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "the empty table collapsed")
mm.expect(not p:pagemap(a).present, "the range without a table stays empty")
mm.expect_eq(p:read(a + PMD + 5 * PAGE, 8), string.rep("\0", 8), "zeroes")
