-- vmpte_zero_page: read faults map the shared zero page through PTE
-- tables (THP off for the range, so no huge zero page); MADV_DONTNEED of
-- a whole 2 MiB of zero-page entries frees the table like any other
-- (CONFIG_PT_RECLAIM), part of it does not; MADV_FREE of zero pages frees
-- nothing.
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local base = p:status().VmPTE
local m = p:mmap{len = 4 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 4 * PMD, "nohugepage")
p:touch(a, 3 * PMD, "r")
local d0 = p:status().VmPTE - base
local rss0 = p:status().RssAnon
p:madvise(a, PMD, "free")
local d1 = p:status().VmPTE - base
p:madvise(a + PMD // 4, PMD, "dontneed")	-- part of tables 0 and 1
local d2 = p:status().VmPTE - base
p:madvise(a + 2 * PMD, PMD, "dontneed")	-- all of table 2
local d3 = p:status().VmPTE - base
p:touch(a + 2 * PMD, PAGE, "r")
local d4 = p:status().VmPTE - base
mm.observe("read_delta", d0)
mm.observe("zero_rss_delta", p:status().RssAnon - rss0)
mm.observe("free_delta", d1)
mm.observe("partial_dontneed_delta", d2)
mm.observe("whole_dontneed_delta", d3)
mm.observe("reread_delta", d4)
mm.observe("reads_zero", p:read(a + 2 * PMD, 4) == "\0\0\0\0")
mm.expect_eq(d0, 12, "zero-page entries need tables")
mm.expect_eq(d1, 12, "MADV_FREE: nothing")
mm.expect_eq(d2, 12, "partial: kept")
mm.expect_eq(d3, 8, "a whole table of zero-page entries: freed")
mm.expect_eq(d4, 12, "a read fault builds it again")
