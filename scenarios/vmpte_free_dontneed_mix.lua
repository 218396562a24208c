-- vmpte_free_dontneed_mix: MADV_FREE never frees a PTE table, even over a
-- whole 2 MiB (upstream reclaims only in MADV_DONTNEED's
-- zap); MADV_DONTNEED over a lazily freed table frees it; a write
-- after MADV_FREE keeps the table and the data.
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local base = p:status().VmPTE
local m = p:mmap{len = 4 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 4 * PMD, "nohugepage")
p:fill(a, 3 * PMD, 5)
local d0 = p:status().VmPTE - base
p:madvise(a, 3 * PMD, "free")
local d1 = p:status().VmPTE - base
p:fill(a + 2 * PMD, PAGE, 6)			-- cancels lazyfree of that page
p:madvise(a + PMD, PMD, "dontneed")
local d2 = p:status().VmPTE - base
p:madvise(a + PMD // 2, PMD, "free")		-- unaligned, over two tables
local d3 = p:status().VmPTE - base
mm.observe("filled_delta", d0)
mm.observe("free_delta", d1)
mm.observe("dontneed_after_free_delta", d2)
mm.observe("unaligned_free_delta", d3)
mm.observe("rewritten_ok", p:verify(a + 2 * PMD, PAGE, 6) == true)
mm.expect_eq(d1, d0, "MADV_FREE of three whole tables frees none")
mm.expect_eq(d2, d0 - 4, "MADV_DONTNEED of a lazily freed table frees it")
mm.expect_eq(d3, d0 - 4, "MADV_FREE again: nothing")
mm.expect_eq(p:verify(a + 2 * PMD, PAGE, 6), true, "written after free: kept")
