-- collapse_max_ptes_shared: khugepaged does not collapse a range in which
-- more than max_ptes_shared PTEs map shared pages (selftests/mm/
-- khugepaged.c collapse_max_ptes_shared).  A THP is shared over fork; the
-- child writes pages 0..254 (its first write splits its PMD; each write
-- copies one 4 KiB page): 257 PTEs still map the shared folio, 257 > 256:
-- no collapse (SCAN_EXCEED_SHARED_PTE, thp_scan_exceed_share_pte grows).
-- After a write to page 255, 256 are shared: the child's range collapses
-- into a new THP, the parent keeps its own THP.  With max_ptes_shared =
-- 511 a child that copied one page only (511 shared) collapses too
-- (observed on 6.18, which counts "maybe mapped shared" folios exactly
-- for two processes: folio_maybe_mapped_shared, MM_ID).
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local KHP = THP .. "khugepaged/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(KHP .. "max_ptes_none", 511)
mm.set(KHP .. "max_ptes_shared", 256)
local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 2 * PMD, "hugepage")
p:fill(a, PMD, 31)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "a THP to start with")
local c = p:fork()
c:fill(a, 255 * PAGE, 32)
mm.observe("child_thp_kb_after_cow", c:smaps(a).AnonHugePages)
mm.expect_eq(c:smaps(a).AnonHugePages, 0, "the child's PMD split at its write")
local v0 = mm.vmstat()
mm.khugepaged_scan(2)
local v1 = mm.vmstat()
mm.observe("shared_257_thp_kb", c:smaps(a).AnonHugePages)
mm.observe("exceed_share_grew", v1.thp_scan_exceed_share_pte > v0.thp_scan_exceed_share_pte)
mm.expect_eq(c:smaps(a).AnonHugePages, 0, "257 shared > 256: no collapse")
mm.expect(v1.thp_scan_exceed_share_pte > v0.thp_scan_exceed_share_pte,
	"thp_scan_exceed_share_pte grew")

c:fill(a + 255 * PAGE, PAGE, 32)
local cs0 = c:status()
mm.khugepaged_scan(2)
local v2 = mm.vmstat()
local cs1 = c:status()
mm.observe("shared_256_thp_kb", c:smaps(a).AnonHugePages)
mm.observe("child_rss_anon_delta_kb", cs1.RssAnon - cs0.RssAnon)
mm.observe("collapse_alloc_delta", v2.thp_collapse_alloc - v1.thp_collapse_alloc)
mm.observe("parent_thp_kb", p:smaps(a).AnonHugePages)
mm.observe("child_frames_new", c:pagemap(a + 400 * PAGE).pfn ~= p:pagemap(a + 400 * PAGE).pfn)
mm.expect_eq(c:smaps(a).AnonHugePages, 2048, "256 shared: collapsed")
mm.expect_eq(v2.thp_collapse_alloc - v1.thp_collapse_alloc, 1, "one collapse")
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "the parent still has its THP")
mm.observe("child_data", c:verify(a, 256 * PAGE, 32) == true and
	c:verify(a + 256 * PAGE, 256 * PAGE, 31) == true)
mm.observe("parent_data", p:verify(a, PMD, 31) == true)
mm.expect_eq(c:verify(a, 256 * PAGE, 32), true, "the child's writes kept")
mm.expect_eq(c:verify(a + 256 * PAGE, 256 * PAGE, 31), true, "the copied rest")
mm.expect_eq(p:verify(a, PMD, 31), true, "the parent's data")
c:exit()
p:munmap(m, 2 * PMD)		-- so that smaps below sees the new range alone

-- max_ptes_shared = 511: one copied page is enough
mm.set(KHP .. "max_ptes_shared", 511)
local n = p:mmap{len = 2 * PMD}
local b = (n + PMD - 1) & ~(PMD - 1)
p:madvise(n, 2 * PMD, "hugepage")
p:fill(b, PMD, 33)
local d = p:fork()
d:fill(b + 9 * PAGE, PAGE, 34)
mm.expect_eq(d:smaps(b).AnonHugePages, 0, "the child's PMD split at its write")
mm.khugepaged_scan(2)
mm.observe("shared_511_thp_kb", d:smaps(b).AnonHugePages)
mm.expect_eq(d:smaps(b).AnonHugePages, 2048, "511 shared <= 511: collapsed")
mm.expect_eq(d:verify(b + 9 * PAGE, PAGE, 34), true, "the child's write kept")
mm.expect_eq(d:verify(b + 10 * PAGE, 100 * PAGE, 33), true, "the copied rest")
d:exit()
