-- thp_diff_pmd_excl_headpage: pagemap PM_MMAP_EXCLUSIVE for a PMD-mapped THP whose
-- folio is partly PTE-mapped by another process, across fork, PMD split of
-- a shared THP, child exit.  (nr_anon_transparent_hugepages is machine-wide
-- and moves with other processes' THPs: tests/test_thp.c checks it.)
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "khugepaged/max_ptes_shared", 0)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local p = mm.spawn()
local m = p:mmap{len = 3 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 3 * PMD, "hugepage")
local v0 = mm.vmstat()
p:fill(a, PMD, 1)
local v1 = mm.vmstat()
local c = p:fork()
local v2 = mm.vmstat()
p:fill(a, PAGE, 2)            -- parent: split its PMD, copy page 0
local v3 = mm.vmstat()
mm.observe("child_thp", c:smaps(a).AnonHugePages)
mm.observe("child_p0_excl", c:pagemap(a).exclusive)
mm.observe("child_p5_excl", c:pagemap(a + 5 * PAGE).exclusive)
mm.observe("child_p5_excl_batch", c:pagemap(a, 8)[6].exclusive)
mm.observe("parent_p5_excl", p:pagemap(a + 5 * PAGE).exclusive)
mm.observe("parent_p0_excl", p:pagemap(a).exclusive)
c:exit()
local v4 = mm.vmstat()
mm.observe("parent_p5_excl_after", p:pagemap(a + 5 * PAGE).exclusive)
-- deferred split: the parent maps 511 of 512 pages of the old folio
mm.observe("parent_rss", p:smaps(a).Rss)
p:munmap(a, PMD)
local v5 = mm.vmstat()
