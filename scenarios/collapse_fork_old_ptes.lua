-- collapse_fork_old_ptes: fork() copies anonymous PTEs into the child old
-- (copy_present_pte: pte_mkold), and khugepaged collapses a range only if
-- at least one of its PTEs is referenced (SCAN_LACK_REFERENCED_PAGE
-- otherwise; tracepoint mm_khugepaged_scan_pmd status=
-- lack_referenced_page on 6.18).  So the child's range of 512 pages (made
-- exclusive to it by the parent's munmap, so that max_ptes_shared does not
-- decide) stays small however often khugepaged scans, until the child
-- reads one page: then it collapses (observed on 6.18).
-- The child's PTEs are read-only (CoW after fork); that does not stop the
-- collapse on 6.18.  Same with PTEs made old by clear_refs 1 in a process
-- that never forked (but a read after clear_refs need not set the young
-- bit: the TLB may still hold the entry).  MADV_COLLAPSE does not ask for
-- referenced PTEs.  Where accessed bits are not the guest's alone (a
-- hypervisor's shadow page tables set some: mm.has("exact_accessed_bits")
-- is false), the child's untouched range may collapse at once; that step
-- is then not observed.
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local KHP = THP .. "khugepaged/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(KHP .. "max_ptes_none", 511)
mm.set(KHP .. "max_ptes_shared", 256)

local function setup(proc, seed)
	local m = proc:mmap{len = 2 * PMD}
	local a = (m + PMD - 1) & ~(PMD - 1)
	proc:madvise(m, 2 * PMD, "nohugepage")
	proc:fill(a, PMD, seed)
	return m, a
end

-- 1. fork: the child's PTEs are old
local p = mm.spawn()
local m, a = setup(p, 71)
local c = p:fork()
p:munmap(m, 2 * PMD)
mm.observe("child_exclusive", c:pagemap(a).exclusive)
mm.expect(c:pagemap(a).exclusive, "the child's pages are its own now")
c:madvise(m, 2 * PMD, "hugepage")
mm.khugepaged_scan(3)
if mm.has("exact_accessed_bits") then
	mm.observe("child_untouched_thp_kb", c:smaps(a).AnonHugePages)
	mm.expect_eq(c:smaps(a).AnonHugePages, 0, "old PTEs: no collapse")
end
c:read(a + 200 * PAGE, 8)                -- one PTE young again
mm.khugepaged_scan(2)
mm.observe("child_read_thp_kb", c:smaps(a).AnonHugePages)
mm.expect_eq(c:smaps(a).AnonHugePages, 2048, "a referenced PTE: collapsed")
mm.observe("child_data", c:verify(a, PMD, 71) == true)
mm.expect_eq(c:verify(a, PMD, 71), true, "data kept")

-- 2. no fork: clear_refs 1 makes the PTEs old
local q = mm.spawn()
local n, b = setup(q, 72)
q:clear_refs(1)
q:madvise(n, 2 * PMD, "hugepage")
mm.khugepaged_scan(2)
mm.observe("clear_refs_thp_kb", q:smaps(b).AnonHugePages)
mm.expect_eq(q:smaps(b).AnonHugePages, 0, "old PTEs: no collapse")
-- (a read now may hit a TLB entry filled before clear_refs, which does not
-- flush: whether the PTE becomes young again depends on the CPU's TLB
-- having dropped it meanwhile, on the host by deep idle states; not
-- checked here)

-- 3. MADV_COLLAPSE of old PTEs
local r = mm.spawn()
local o, d = setup(r, 73)
local rc = r:fork()
r:munmap(o, 2 * PMD)
rc:madvise(o, 2 * PMD, "hugepage")      -- not VM_NOHUGEPAGE (EINVAL) any more
local ok, err = pcall(rc.madvise, rc, d, PMD, "collapse")
mm.observe("madv_collapse_old", ok and "ok" or err:match("^E%u+"))
mm.observe("madv_collapse_old_thp_kb", rc:smaps(d).AnonHugePages)
mm.expect(ok, "MADV_COLLAPSE needs no referenced PTE")
mm.expect_eq(rc:smaps(d).AnonHugePages, 2048, "collapsed")
mm.expect_eq(rc:verify(d, PMD, 73), true, "data kept")
