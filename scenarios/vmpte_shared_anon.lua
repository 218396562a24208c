-- vmpte_shared_anon: a shared anonymous mapping (shmem behind it) gets PTE
-- tables like a private one; MADV_DONTNEED over a whole 2 MiB table frees
-- it (CONFIG_PT_RECLAIM zaps any VMA but PFNMAP/hugetlb/locked), over half
-- a table keeps it, and the data stays in shmem for the next fault.
-- MADV_FREE is for private anonymous memory only: EINVAL.
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local base = p:status().VmPTE
local m = p:mmap{len = 4 * PMD, flags = "shared,anonymous"}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 4 * PMD, "nohugepage")
p:fill(a, 2 * PMD, 7)
local d0 = p:status().VmPTE - base
p:madvise(a, PMD // 2, "dontneed")
local d1 = p:status().VmPTE - base
p:madvise(a, PMD, "dontneed")
local d2 = p:status().VmPTE - base
local ok, err = pcall(p.madvise, p, a + PMD, PMD, "free")	-- anon only
local d3 = p:status().VmPTE - base
local same = p:verify(a, 2 * PMD, 7) == true	-- refaults from shmem
local d4 = p:status().VmPTE - base
mm.observe("filled_delta", d0)
mm.observe("half_dontneed_delta", d1)
mm.observe("whole_dontneed_delta", d2)
mm.observe("free_error", ok and "none" or err:match("^%u+"))
mm.observe("free_delta", d3)
mm.observe("data_kept", same)
mm.observe("refault_delta", d4)
mm.expect_eq(d1, d0, "half a table: kept")
mm.expect_eq(d2, d0 - 4, "a whole table: freed")
mm.expect(not ok and err:match("^EINVAL"), "MADV_FREE of shared memory")
mm.expect_eq(d3, d0 - 4, "nothing else changed")
mm.expect_eq(same, true, "shmem keeps the data")
mm.expect_eq(d4, d0, "the refault builds the table again")
