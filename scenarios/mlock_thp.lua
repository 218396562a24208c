-- mlock_thp: mlock of a MADV_HUGEPAGE range populates it with a PMD-mapped
-- THP (one write fault maps all 512 pages) and smaps' Locked counts it
-- whole.  munlock of half of it splits the VMA, and with it the PMD: the
-- THP is mapped by PTEs in two VMAs, the locked half still "lo" with
-- Locked 1024 kB, nothing freed.  Observed on 6.18.
mm.require("thp")
local P, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "defrag", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
local h = (m + PMD - 1) & ~(PMD - 1)
p:madvise(h, PMD, "hugepage")
local fa = mm.vmstat().thp_fault_alloc
p:mlock(h, PMD)
local s = p:smaps(h)
-- thp_fault_alloc is machine-wide: compared on the model only, where
-- nothing else runs (smaps below carries the fact on both)
if mm.backend == "model" then
	mm.expect_eq(mm.vmstat().thp_fault_alloc - fa, 1, "one THP fault")
end
mm.observe("anon_huge_kb", s.AnonHugePages)
mm.observe("rss_kb", s.Rss)
mm.observe("locked_kb", s.Locked)
mm.observe("flags", s.VmFlags)
mm.expect_eq(s.AnonHugePages, 2048, "mlock faulted a THP in")
mm.expect_eq(s.Locked, 2048, "Locked counts it whole")
local pfn = p:pagemap(h).pfn

p:munlock(h, PMD // 2)
local lo, hi = p:smaps(h), p:smaps(h + PMD // 2)
mm.observe("low_flags", lo.VmFlags)
mm.observe("low_locked_kb", lo.Locked)
mm.observe("low_anon_huge_kb", lo.AnonHugePages)
mm.observe("high_flags", hi.VmFlags)
mm.observe("high_locked_kb", hi.Locked)
mm.observe("high_rss_kb", hi.Rss)
mm.observe("same_folio", p:pagemap(h + PMD // 2).pfn == pfn + 256)
mm.expect_eq(hi.Locked, 1024, "the locked half")
mm.expect_eq(lo.AnonHugePages, 0, "the PMD was split")
