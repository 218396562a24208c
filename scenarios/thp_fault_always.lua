-- thp_fault_always: with THP "enabled" = always, a write fault in a plain
-- private anonymous mapping (no madvise) gets a PMD-mapped THP when the
-- VMA covers the whole aligned 2 MiB around the fault; MADV_NOHUGEPAGE
-- still opts a VMA out; a VMA that holds no aligned 2 MiB (1 MiB long, or
-- 2 MiB long but starting one page past a 2 MiB boundary) gets small pages
-- only (thp_vma_suitable_order; transhuge.rst; observed on 6.18).
local vma = mm.include("lib/vma.lua")
local present_count = vma.present
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "enabled", "always")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local p = mm.spawn()

-- plain aligned range: THP on the first write
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
local v0 = mm.vmstat()
p:write(a + 9 * PAGE, "x")
local v1 = mm.vmstat()
mm.observe("plain_thp_kb", p:smaps(a).AnonHugePages)
-- vmstat is machine-wide, and with "always" any process on the machine
-- may fault THPs meanwhile: only "at least one" is certain
mm.observe("plain_fault_alloc_grew", v1.thp_fault_alloc - v0.thp_fault_alloc >= 1)
mm.observe("plain_present", present_count(p:pagemap(a, 512)))
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "always: THP without madvise")
mm.expect(v1.thp_fault_alloc - v0.thp_fault_alloc >= 1, "thp_fault_alloc grew")
mm.expect_eq(present_count(p:pagemap(a, 512)), 512, "whole PMD mapped")

-- MADV_NOHUGEPAGE opts out
local n = p:mmap{len = 2 * PMD}
local b = (n + PMD - 1) & ~(PMD - 1)
p:madvise(n, 2 * PMD, "nohugepage")
p:write(b, "y")
mm.observe("nohugepage_thp_kb", p:smaps(b).AnonHugePages)
mm.observe("nohugepage_present", present_count(p:pagemap(b, 512)))
mm.expect_eq(p:smaps(b).AnonHugePages, 0, "VM_NOHUGEPAGE: no THP")
mm.expect_eq(present_count(p:pagemap(b, 512)), 1, "one small page")

-- a 1 MiB VMA: no aligned 2 MiB inside
local s = p:mmap{len = PMD // 2}
p:touch(s, PMD // 2, "w")
-- a 2 MiB VMA starting one page past a 2 MiB boundary
local u = p:mmap{len = 3 * PMD}
local ua = (u + PMD - 1) & ~(PMD - 1)
p:munmap(u, ua + PAGE - u)
p:munmap(ua + PMD + PAGE, u + 3 * PMD - (ua + PMD + PAGE))
p:touch(ua + PAGE, PMD, "w")
mm.observe("small_vma_thp_kb", p:smaps(s).AnonHugePages)
mm.observe("unaligned_vma_thp_kb", p:smaps(ua + PAGE).AnonHugePages)
mm.observe("unaligned_vma_rss_kb", p:smaps(ua + PAGE).Rss)
mm.expect_eq(p:smaps(s).AnonHugePages, 0, "1 MiB VMA: small pages")
mm.expect_eq(p:smaps(ua + PAGE).AnonHugePages, 0, "unaligned 2 MiB VMA: small pages")
mm.expect_eq(p:smaps(ua + PAGE).Rss, 2048, "all 512 pages there, small")
