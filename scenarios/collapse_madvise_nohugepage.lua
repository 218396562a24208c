-- collapse_madvise_nohugepage: MADV_COLLAPSE refuses a VM_NOHUGEPAGE VMA
-- with EINVAL (madvise_collapse: thp_vma_allowable_order fails; madvise(2)) and leaves its small pages alone; khugepaged does not
-- scan it either, even with enabled=always.  MADV_NORMAL does not clear
-- VM_NOHUGEPAGE (still EINVAL); after MADV_HUGEPAGE the same call
-- collapses the range (observed on 6.18).
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local KHP = THP .. "khugepaged/"
mm.set(THP .. "enabled", "always")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(KHP .. "max_ptes_none", 511)
local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 2 * PMD, "nohugepage")
p:fill(a, PMD, 51)
local errno = mm.errno
local pfn = p:pagemap(a).pfn
mm.observe("nohugepage_collapse", errno(p.madvise, p, a, PMD, "collapse"))
mm.expect_eq(errno(p.madvise, p, a, PMD, "collapse"), "EINVAL", "VM_NOHUGEPAGE: EINVAL")
mm.khugepaged_scan(1)
mm.observe("nohugepage_thp_kb", p:smaps(a).AnonHugePages)
mm.observe("nohugepage_same_frame", p:pagemap(a).pfn == pfn)
mm.expect_eq(p:smaps(a).AnonHugePages, 0, "small pages kept (enabled=always)")
mm.expect_eq(p:pagemap(a).pfn, pfn, "not copied")
p:madvise(m, 2 * PMD, "normal")          -- MADV_NORMAL does not clear it
mm.observe("normal_collapse", errno(p.madvise, p, a, PMD, "collapse"))
mm.expect_eq(errno(p.madvise, p, a, PMD, "collapse"), "EINVAL", "still VM_NOHUGEPAGE")
p:madvise(m, 2 * PMD, "hugepage")
mm.observe("hugepage_collapse", errno(p.madvise, p, a, PMD, "collapse"))
mm.observe("hugepage_thp_kb", p:smaps(a).AnonHugePages)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "collapsed after MADV_HUGEPAGE")
mm.expect_eq(p:verify(a, PMD, 51), true, "data kept")
