-- vmpte_fork_dontneed: page tables are per process: a child's fork copies
-- the parent's populated tables; the child's MADV_DONTNEED of a whole 2 MiB
-- frees the child's table only, the parent keeps its table and data.
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local m = p:mmap{len = 3 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 3 * PMD, "nohugepage")
p:fill(a, 2 * PMD, 9)
local pbase = p:status().VmPTE
local c = p:fork()
local cbase = c:status().VmPTE
c:madvise(a, PMD, "dontneed")
local cd = c:status().VmPTE - cbase
local pd = p:status().VmPTE - pbase
p:madvise(a + PMD, PMD, "dontneed")
local pd2 = p:status().VmPTE - pbase
local cd2 = c:status().VmPTE - cbase
mm.observe("child_dontneed_delta", cd)
mm.observe("parent_after_child_delta", pd)
mm.observe("parent_dontneed_delta", pd2)
mm.observe("child_after_parent_delta", cd2)
mm.observe("parent_data", p:verify(a, PMD, 9) == true)
mm.observe("child_data", c:verify(a + PMD, PMD, 9) == true)
mm.expect_eq(cd, -4, "the child's table freed")
mm.expect_eq(pd, 0, "the parent's kept")
mm.expect_eq(pd2, -4, "the parent's own call frees its table")
mm.expect_eq(cd2, -4, "the child's other table stays")
mm.expect_eq(p:verify(a, PMD, 9), true, "parent data intact")
mm.expect_eq(c:verify(a + PMD, PMD, 9), true, "child data intact")
c:exit()
