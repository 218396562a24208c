-- vmpte_dontneed_reclaim: MADV_DONTNEED over a whole 2 MiB-aligned region
-- frees its now-empty PTE table (CONFIG_PT_RECLAIM, v6.14); over part of a region the table stays.  MADV_FREE never
-- frees tables.
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local m = p:mmap{len = 4 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 4 * PMD, "nohugepage")	-- PTE-mapped whatever THP says
p:touch(a, 2 * PMD, "w")
local base = p:status().VmPTE
p:madvise(a, PMD // 2, "dontneed")
local partial = p:status().VmPTE - base
p:madvise(a, PMD, "dontneed")
local whole = p:status().VmPTE - base
p:madvise(a + PMD, PMD, "free")
local free = p:status().VmPTE - base
mm.observe("partial_dontneed_delta", partial)
mm.observe("whole_dontneed_delta", whole)
mm.observe("free_delta", free)
mm.expect_eq(partial, 0, "part of a table: kept")
mm.expect_eq(whole, -4, "a whole empty table is freed")
mm.expect_eq(free, -4, "MADV_FREE frees no table")
