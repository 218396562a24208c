-- vmpte_dontneed_unaligned: MADV_DONTNEED frees a PTE table only when one
-- call's zap covers that table's whole 2 MiB (zap_pte_range: end - start >=
-- PMD_SIZE, CONFIG_PT_RECLAIM, v6.14).  An unaligned
-- range over three tables frees the middle one and keeps the two it covers
-- in part, even when the part it covers held every populated page.
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local base = p:status().VmPTE
local m = p:mmap{len = 5 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)		-- tables at a, a+PMD, a+2PMD
p:madvise(m, 5 * PMD, "nohugepage")
p:touch(a + PMD - 16 * PAGE, 16 * PAGE, "w")	-- end of table 0
p:touch(a + PMD, PMD, "w")			-- all of table 1
p:touch(a + 2 * PMD, 16 * PAGE, "w")		-- start of table 2
local d0 = p:status().VmPTE - base
-- one call from the 16 last pages of table 0 to the 16 first of table 2
p:madvise(a + PMD - 16 * PAGE, PMD + 32 * PAGE, "dontneed")
local d1 = p:status().VmPTE - base
-- an unaligned call that covers table 2 fully from a page before it
p:madvise(a + 2 * PMD - PAGE, PMD + PAGE, "dontneed")
local d2 = p:status().VmPTE - base
mm.observe("touched_delta", d0)
mm.observe("straddling_dontneed_delta", d1)
mm.observe("covering_dontneed_delta", d2)
mm.expect_eq(d0, 12, "three tables")
mm.expect_eq(d1, 8, "only the fully covered middle table is freed")
mm.expect_eq(d2, 4, "table 2 freed by a call that covers it whole")
mm.expect_eq(p:read(a + PMD - PAGE, 1), "\0", "zapped pages read zero")
