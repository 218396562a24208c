-- thp_fault_never: with THP "enabled" = never, no fault maps a THP, not
-- even in a MADV_HUGEPAGE VMA (transhuge.rst: "never" disables THP for
-- faults and khugepaged); MADV_COLLAPSE still works there, as it ignores
-- the sysfs setting (6.1+; observed on 6.18).
local vma = mm.include("lib/vma.lua")
local present_count = vma.present
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "enabled", "never")
local p = mm.spawn()

local m = p:mmap{len = 4 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 4 * PMD, "hugepage")
local v0 = mm.vmstat()
p:write(a, "x")                         -- MADV_HUGEPAGE range
p:touch(a + PMD, PMD, "w")              -- a whole 2 MiB written
local v1 = mm.vmstat()
mm.observe("madv_thp_kb", p:smaps(a).AnonHugePages)
mm.observe("madv_present_after_one_write", present_count(p:pagemap(a, 512)))
mm.observe("fault_alloc_delta", v1.thp_fault_alloc - v0.thp_fault_alloc)
mm.expect_eq(p:smaps(a).AnonHugePages, 0, "never: no THP on fault")
mm.expect_eq(present_count(p:pagemap(a, 512)), 1, "one small page")
mm.expect_eq(v1.thp_fault_alloc - v0.thp_fault_alloc, 0, "no thp_fault_alloc")

-- MADV_COLLAPSE ignores "never"
local ok, err = pcall(p.madvise, p, a + PMD, PMD, "collapse")
mm.observe("collapse_under_never", ok and "ok" or err:match("^E%u+"))
mm.observe("collapsed_thp_kb", p:smaps(a).AnonHugePages)
mm.expect(ok, "MADV_COLLAPSE works with enabled=never")
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "the written 2 MiB collapsed")
mm.observe("data_kept", p:read(a + PMD + 3 * PAGE, 1) == string.char((((a + PMD + 3 * PAGE) >> 12) & 0xff) | 1))
