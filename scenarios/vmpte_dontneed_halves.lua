-- vmpte_dontneed_halves: two MADV_DONTNEED calls, each over half of one
-- 2 MiB table, empty it but free nothing: no single zap covered the whole
-- table (CONFIG_PT_RECLAIM, v6.14).  A later call
-- over the whole, already empty, table frees it.
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local base = p:status().VmPTE
local m = p:mmap{len = 3 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 3 * PMD, "nohugepage")
p:touch(a, PMD, "w")
local d0 = p:status().VmPTE - base
p:madvise(a, PMD // 2, "dontneed")
local d1 = p:status().VmPTE - base
p:madvise(a + PMD // 2, PMD // 2, "dontneed")
local d2 = p:status().VmPTE - base
p:madvise(a, PMD, "dontneed")
local d3 = p:status().VmPTE - base
p:touch(a + PAGE, PAGE, "w")			-- a fault rebuilds it
local d4 = p:status().VmPTE - base
mm.observe("touched_delta", d0)
mm.observe("first_half_delta", d1)
mm.observe("second_half_delta", d2)
mm.observe("whole_empty_delta", d3)
mm.observe("refault_delta", d4)
mm.expect_eq(d1, d0, "half a table: kept")
mm.expect_eq(d2, d0, "the other half: empty, still kept")
mm.expect_eq(d3, d0 - 4, "a call over the whole empty table frees it")
mm.expect_eq(d4, d0, "a fault allocates a new table")
