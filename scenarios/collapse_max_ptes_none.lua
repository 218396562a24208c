-- collapse_max_ptes_none: khugepaged collapses a 2 MiB range only when at
-- most max_ptes_none of its PTEs are none (selftests/mm/khugepaged.c
-- collapse_max_ptes_none): with 256, a range with 255 present pages (257
-- none) stays small (SCAN_EXCEED_NONE_PTE: thp_scan_exceed_none_pte
-- grows), one with 256 present pages becomes a THP.  MADV_COLLAPSE
-- ignores max_ptes_none and collapses the first range too (observed on
-- 6.18).  (scenarios/pending/khugepaged_max_ptes_none.lua checks the
-- first half; this one also checks counters, data and MADV_COLLAPSE.)
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local KHP = THP .. "khugepaged/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(KHP .. "max_ptes_none", 256)
local p = mm.spawn()
local m = p:mmap{len = 3 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
local b = a + PMD
p:madvise(m, 3 * PMD, "nohugepage")
p:fill(a, 255 * PAGE, 1)		-- 255 present, 257 none
p:fill(b, 256 * PAGE, 2)		-- 256 present, 256 none
-- counters first: MADV_HUGEPAGE may wake khugepaged at once
local s0 = p:status()
local v0 = mm.vmstat()
p:madvise(m, 3 * PMD, "hugepage")
mm.khugepaged_scan(2)
local v1 = mm.vmstat()
local s1 = p:status()
local pa, pb = p:pagemap(a + 300 * PAGE), p:pagemap(b + 300 * PAGE)
mm.observe("thp_kb", p:smaps(a).AnonHugePages)
mm.observe("range_255_collapsed", pa.present)
mm.observe("range_256_collapsed", pb.present)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("collapse_alloc_delta", v1.thp_collapse_alloc - v0.thp_collapse_alloc)
mm.observe("exceed_none_grew", v1.thp_scan_exceed_none_pte > v0.thp_scan_exceed_none_pte)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "exactly one range collapsed")
mm.expect(not pa.present, "255 present: not collapsed")
mm.expect(pb.present, "256 present: collapsed")
mm.expect_eq(s1.RssAnon - s0.RssAnon, 256 * 4, "256 zeroed pages added")
mm.expect_eq(v1.thp_collapse_alloc - v0.thp_collapse_alloc, 1, "one collapse")
mm.expect(v1.thp_scan_exceed_none_pte > v0.thp_scan_exceed_none_pte,
	"thp_scan_exceed_none_pte grew")
mm.expect_eq(p:verify(b, 256 * PAGE, 2), true, "data kept")

-- MADV_COLLAPSE ignores max_ptes_none
p:madvise(a, PMD, "collapse")
mm.observe("madv_collapse_thp_kb", p:smaps(a).AnonHugePages)
mm.expect_eq(p:smaps(a).AnonHugePages, 4096, "MADV_COLLAPSE: both ranges huge")
mm.observe("data_kept", p:verify(a, 255 * PAGE, 1) == true)
mm.expect_eq(p:verify(a, 255 * PAGE, 1), true, "data kept")
