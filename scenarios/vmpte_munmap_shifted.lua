-- vmpte_munmap_shifted: munmap frees the PTE tables whose whole 2 MiB lies
-- in the gap it leaves between the VMAs around it (free_pgtables ->
-- free_pgd_range, bounded by the neighbours' floor and ceiling); a table it
-- covers in part stays while a VMA still maps some of it, and goes once a
-- later munmap leaves it entirely in a gap.
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local base = p:status().VmPTE
local m = p:mmap{len = 6 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)		-- tables 0..3 at a .. a+3PMD
p:madvise(m, 6 * PMD, "nohugepage")
p:touch(a, 4 * PMD, "w")
local d0 = p:status().VmPTE - base
-- shifted by half a table: table 1 lies in the gap, 0 and 2 in part
p:munmap(a + PMD // 2, 2 * PMD)
local d1 = p:status().VmPTE - base
-- a page-shifted unmap of a quarter table inside table 3
p:munmap(a + 3 * PMD + PAGE, PMD // 4)
local d2 = p:status().VmPTE - base
-- the rest of table 0: now all of it is in the gap
p:munmap(a, PMD // 2)
local d3 = p:status().VmPTE - base
-- the rest of table 2, from a page past it: all of table 2 in the gap
p:munmap(a + 2 * PMD + PMD // 2, PMD // 2 + PAGE)
local d4 = p:status().VmPTE - base
mm.observe("touched_delta", d0)
mm.observe("shifted_munmap_delta", d1)
mm.observe("inner_munmap_delta", d2)
mm.observe("head_munmap_delta", d3)
mm.observe("tail_munmap_delta", d4)
mm.expect_eq(d0, 16, "four tables")
mm.expect_eq(d1, 12, "the table inside the gap is freed")
mm.expect_eq(d2, 12, "part of a table: kept")
mm.expect_eq(d3, 8, "table 0 now lies in the gap")
mm.expect_eq(d4, 4, "table 2 now lies in the gap")
