-- thp_fault_madvise: with THP "enabled" at madvise (this host's default), a
-- write fault in a 2 MiB-aligned range of a MADV_HUGEPAGE VMA allocates one
-- PMD-mapped THP (do_huge_pmd_anonymous_page): a single fault maps all 512
-- pages, their PFNs are contiguous, smaps AnonHugePages says 2048 kB and
-- /proc/vmstat thp_fault_alloc grows by one.  The same write in a VMA
-- without MADV_HUGEPAGE maps one 4 KiB page (Documentation/admin-guide/mm/
-- transhuge.rst; observed on 6.18).
local vma = mm.include("lib/vma.lua")
local present_count = vma.present
local contiguous = vma.contiguous
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "defrag", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local p = mm.spawn()
local s0 = p:status()

-- MADV_HUGEPAGE range: one write fault, one THP
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 2 * PMD, "hugepage")
local v0 = mm.vmstat()
p:write(a + 5 * PAGE + 17, "x")
local v1 = mm.vmstat()
local pm = p:pagemap(a, 512)
local s1 = p:status()
mm.observe("madv_thp_kb", p:smaps(a).AnonHugePages)
mm.observe("madv_fault_alloc_delta", v1.thp_fault_alloc - v0.thp_fault_alloc)
mm.observe("madv_present_after_one_write", present_count(pm))
mm.observe("madv_pfns_contiguous", contiguous(pm))
mm.observe("madv_pfn_2m_aligned", pm[1].pfn % 512 == 0)
mm.observe("madv_rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("madv_exclusive", pm[1].exclusive)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "one PMD-mapped THP")
mm.expect_eq(v1.thp_fault_alloc - v0.thp_fault_alloc, 1, "thp_fault_alloc +1")
mm.expect_eq(present_count(pm), 512, "one fault maps all 512 pages")
mm.expect(contiguous(pm), "PFNs contiguous")
mm.expect(pm[1].pfn % 512 == 0, "the folio is 2 MiB-aligned physically")
mm.expect_eq(s1.RssAnon - s0.RssAnon, 2048, "RssAnon counts 2 MiB")
mm.expect_eq(p:read(a, 4), "\0\0\0\0", "the rest of the THP is zeroed")
mm.expect_eq(p:read(a + 5 * PAGE + 17, 1), "x", "the written byte")

-- no MADV_HUGEPAGE: small pages
local m2 = p:mmap{len = 2 * PMD}
local b = (m2 + PMD - 1) & ~(PMD - 1)
local w0 = mm.vmstat()
p:write(b + 5 * PAGE, "y")
local w1 = mm.vmstat()
local pm2 = p:pagemap(b, 512)
mm.observe("plain_thp_kb", p:smaps(b).AnonHugePages)
mm.observe("plain_fault_alloc_delta", w1.thp_fault_alloc - w0.thp_fault_alloc)
mm.observe("plain_present_after_one_write", present_count(pm2))
mm.expect_eq(p:smaps(b).AnonHugePages, 0, "no THP without MADV_HUGEPAGE")
mm.expect_eq(w1.thp_fault_alloc - w0.thp_fault_alloc, 0, "no thp_fault_alloc")
mm.expect_eq(present_count(pm2), 1, "one 4 KiB page")
