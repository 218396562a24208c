-- vmpte_dontneed_two_vmas: madvise walks VMA by VMA, and the zap of each
-- covers only its part of a table that two VMAs share: MADV_DONTNEED over
-- the whole 2 MiB does not free that table (zap_pte_range's end - start <
-- PMD_SIZE in each call).  Once mprotect merges the VMAs back, the same
-- call frees it.
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local base = p:status().VmPTE
local m = p:mmap{len = 4 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 4 * PMD, "nohugepage")
p:touch(a, 2 * PMD, "w")
p:mprotect(a + PMD // 2, PMD // 4, "r")	-- three VMAs in table 0
local d0 = p:status().VmPTE - base
p:madvise(a, 2 * PMD, "dontneed")
local d1 = p:status().VmPTE - base
p:mprotect(a + PMD // 2, PMD // 4, "rw")	-- one VMA again
local merged = p:smaps(a).Size >= 2048
p:madvise(a, PMD, "dontneed")
local d2 = p:status().VmPTE - base
mm.observe("touched_delta", d0)
mm.observe("split_dontneed_delta", d1)
mm.observe("merged_one_vma", merged)
mm.observe("merged_dontneed_delta", d2)
mm.expect_eq(d1, d0 - 4, "table 1 (one VMA) freed, table 0 (three) kept")
mm.expect_eq(merged, true, "mprotect merged the VMAs")
mm.expect_eq(d2, d0 - 8, "merged: freed")
