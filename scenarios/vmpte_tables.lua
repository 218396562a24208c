-- vmpte_tables: VmPTE counts page tables: a first touch in a 2 MiB region
-- allocates a PTE table (4 kB); another page in the same region adds
-- nothing; a touch in the next region adds one more.  munmap of the whole
-- mapping frees them (free_pgtables).
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local base = p:status().VmPTE
local m = p:mmap{len = 3 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)	-- 2 MiB aligned, two regions
local d = {}
p:touch(a, PAGE, "w");			d[1] = p:status().VmPTE - base
p:touch(a + 5 * PAGE, PAGE, "w");	d[2] = p:status().VmPTE - base
p:touch(a + PMD, PAGE, "w");		d[3] = p:status().VmPTE - base
p:munmap(m, 3 * PMD);			d[4] = p:status().VmPTE - base
for i, v in ipairs(d) do mm.observe("vmpte_delta_" .. i, v) end
mm.expect_eq(d[1], 4, "first touch: one PTE table")
mm.expect_eq(d[2], 4, "same 2 MiB region: same table")
mm.expect_eq(d[3], 8, "next region: another table")
mm.expect_eq(d[4], 0, "munmap freed them")
