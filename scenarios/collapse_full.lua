-- collapse_full: khugepaged collapses a 2 MiB-aligned range of 512 present
-- small pages of a MADV_HUGEPAGE VMA into one THP (selftests/mm/
-- khugepaged.c collapse_full): after a scan AnonHugePages is 2048, the
-- 512 pages have consecutive PFNs of a new folio, the data are kept,
-- RssAnon is unchanged, VmPTE too (the PTE table is kept, deposited
-- under the PMD for a later split),
-- thp_collapse_alloc and khugepaged/pages_collapsed grow by one
-- (observed on 6.18).  The pages are faulted while the VMA is
-- MADV_NOHUGEPAGE so that the faults map small pages.
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
p:fill(a, PMD, 21)
local old = p:pagemap(a, 512)
mm.expect_eq(p:smaps(a).AnonHugePages, 0, "small pages to start with")
-- counters first: MADV_HUGEPAGE may wake khugepaged at once
local s0 = p:status()
local v0 = mm.vmstat()
local c0 = tonumber(mm.get(KHP .. "pages_collapsed"))
p:madvise(m, 2 * PMD, "hugepage")
mm.khugepaged_scan(2)
local c1 = tonumber(mm.get(KHP .. "pages_collapsed"))
local v1 = mm.vmstat()
local s1 = p:status()
local pm = p:pagemap(a, 512)
local contiguous, moved = pm[1].present, pm[1].pfn ~= old[1].pfn
for i = 2, 512 do
	if not pm[i].present or pm[i].pfn ~= pm[1].pfn + i - 1 then
		contiguous = false
	end
end
mm.observe("thp_kb", p:smaps(a).AnonHugePages)
mm.observe("contiguous", contiguous)
mm.observe("new_frames", moved)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("vmpte_delta_kb", s1.VmPTE - s0.VmPTE)
mm.observe("collapse_alloc_delta", v1.thp_collapse_alloc - v0.thp_collapse_alloc)
mm.observe("pages_collapsed_delta", c1 - c0)
mm.observe("exclusive", pm[1].exclusive)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "collapsed into one THP")
mm.expect(contiguous and moved, "512 consecutive frames of a new folio")
mm.expect_eq(s1.RssAnon - s0.RssAnon, 0, "same RSS")
mm.expect_eq(s1.VmPTE - s0.VmPTE, 0, "the table is deposited, not freed")
mm.expect_eq(v1.thp_collapse_alloc - v0.thp_collapse_alloc, 1, "thp_collapse_alloc +1")
mm.expect_eq(c1 - c0, 1, "pages_collapsed +1")
mm.observe("data_kept", p:verify(a, PMD, 21) == true)
mm.expect_eq(p:verify(a, PMD, 21), true, "data kept")
