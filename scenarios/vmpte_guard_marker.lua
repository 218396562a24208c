-- vmpte_guard_marker: a guard marker (MADV_GUARD_INSTALL, 6.13) is a PTE
-- that is not none: MADV_DONTNEED over the whole 2 MiB keeps it, and so
-- keeps the table (zap_pte_range reclaims only when no entry was skipped).  After MADV_GUARD_REMOVE the next whole-table
-- MADV_DONTNEED frees it; munmap frees it with its markers.
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local base = p:status().VmPTE
local m = p:mmap{len = 4 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 4 * PMD, "nohugepage")
p:touch(a, 2 * PMD, "w")
p:madvise(a + 7 * PAGE, PAGE, "guard_install")		-- table 0
p:madvise(a + PMD + 9 * PAGE, PAGE, "guard_install")	-- table 1
local d0 = p:status().VmPTE - base
p:madvise(a, 2 * PMD, "dontneed")
local d1 = p:status().VmPTE - base
local still_guard = p:pagemap(a + 7 * PAGE).guard
p:madvise(a + 7 * PAGE, PAGE, "guard_remove")
p:madvise(a, PMD, "dontneed")
local d2 = p:status().VmPTE - base
p:madvise(a + 2 * PMD, PMD, "guard_install")		-- markers only
local d3 = p:status().VmPTE - base
p:munmap(a + PMD, 2 * PMD)
local d4 = p:status().VmPTE - base
mm.observe("touched_delta", d0)
mm.observe("dontneed_with_markers_delta", d1)
mm.observe("marker_survives", still_guard)
mm.observe("dontneed_after_remove_delta", d2)
mm.observe("marker_only_table_delta", d3)
mm.observe("munmap_delta", d4)
mm.expect_eq(d1, d0, "tables holding a marker are kept")
mm.expect_eq(still_guard, true, "DONTNEED keeps guard markers")
mm.expect_eq(d2, d0 - 4, "no marker left: freed")
mm.expect_eq(d3, d2 + 4, "markers need a table")
mm.expect_eq(d4, 0, "munmap frees tables with markers")
