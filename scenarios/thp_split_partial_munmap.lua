-- thp_split_partial_munmap: munmap of one 4 KiB page in the middle of a
-- PMD-mapped THP splits the VMA, and the PMD mapping
-- (vma_adjust_trans_huge -> split_huge_pmd: thp_split_pmd +1) into 511
-- PTEs; AnonHugePages falls to 0 in both remaining VMAs, RSS drops by the
-- 4 KiB unmapped only (the 2 MiB folio stays allocated, queued for a
-- deferred split), the other 511 pages keep their data and their frames
-- (observed on 6.18).
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 2 * PMD, "hugepage")
p:fill(a, PMD, 7)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "a THP to start with")
local pfn0 = p:pagemap(a).pfn
local s0 = p:status()
local v0 = mm.vmstat()
local hole = a + 256 * PAGE
p:munmap(hole, PAGE)
local v1 = mm.vmstat()
local s1 = p:status()
local low, high = p:smaps(a), p:smaps(hole + PAGE)
mm.observe("split_pmd_delta", v1.thp_split_pmd - v0.thp_split_pmd)
mm.observe("low_thp_kb", low.AnonHugePages)
mm.observe("high_thp_kb", high.AnonHugePages)
mm.observe("low_rss_kb", low.Rss)
mm.observe("high_rss_kb", high.Rss)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("vmpte_delta_kb", s1.VmPTE - s0.VmPTE)
mm.expect_eq(v1.thp_split_pmd - v0.thp_split_pmd, 1, "one PMD split")
mm.expect_eq(low.AnonHugePages + high.AnonHugePages, 0, "no PMD mapping left")
mm.expect_eq(low.Rss, 1024, "256 pages below the hole")
mm.expect_eq(high.Rss, 1020, "255 pages above it")
mm.expect_eq(s1.RssAnon - s0.RssAnon, -4, "RSS drops by the page unmapped")
local pm = p:pagemap(a, 512)
local same = true
for i = 1, 512 do
	if i ~= 257 and (not pm[i].present or pm[i].pfn ~= pfn0 + i - 1) then
		same = false
	end
end
mm.observe("frames_kept", same)
mm.expect(same, "the other 511 pages stay mapped to the same folio")
local ok, err = pcall(p.read, p, hole, 1)
mm.observe("hole_faults", not ok and err:match("SIGSEGV") ~= nil)
mm.expect(not ok and err:match("SIGSEGV"), "the hole is unmapped")
mm.observe("data_low", p:verify(a, 256 * PAGE, 7) == true)
mm.observe("data_high", p:verify(hole + PAGE, 255 * PAGE, 7) == true)
mm.expect_eq(p:verify(a, 256 * PAGE, 7), true, "data below kept")
mm.expect_eq(p:verify(hole + PAGE, 255 * PAGE, 7), true, "data above kept")
