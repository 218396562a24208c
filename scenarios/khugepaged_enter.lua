-- khugepaged_enter: khugepaged scans only mms on its list, and 6.18 puts an
-- mm there only through khugepaged_enter_vma (an anonymous mmap, a VMA a
-- merge grew, MADV_HUGEPAGE, the PMD fault path), when the 2 MiB size is
-- enabled, the VMA's flags allow it and an aligned 2 MiB fits in the VMA;
-- mTHP sizes register nothing (khugepaged collapses to 2 MiB only), and
-- fork registers the child of a registered mm.  So ranges set up while
-- hugepages-2048kB is never stay small after it is enabled, as do ranges
-- advised while only 64 KiB is enabled; once MADV_HUGEPAGE of a range
-- registers the mm, every eligible range collapses, the earlier ones too.
-- Observed on 6.18; the model follows with /sys/kernel/mm/mmlab/
-- mthp_collapse = 0 (the default).  That a VMA no aligned 2 MiB fits in
-- registers nothing is tested in tests/test_khugepaged.c only: a step
-- with one (MADV_HUGEPAGE and faults there) did not give the same result
-- twice on this host (later registrations did not collapse either).
mm.require("thp")
mm.require("mthp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local KHP = THP .. "khugepaged/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(THP .. "hugepages-64kB/enabled", "never")
mm.set(KHP .. "max_ptes_none", 511)
local p = mm.spawn()

-- a 2 MiB-aligned range in a VMA of twice that
local function region(adv)
	local m = p:mmap{len = 2 * PMD}
	local a = (m + PMD - 1) & ~(PMD - 1)
	if adv then p:madvise(m, 2 * PMD, adv) end
	return a
end

-- the 2 MiB at @x is one PMD-aligned folio (regions may share a VMA:
-- smaps would count them together)
local function thp_at(x, proc)
	proc = proc or p
	local first, last = proc:pagemap(x), proc:pagemap(x + PMD - PAGE)
	return first.present and last.present and first.pfn % 512 == 0 and
		last.pfn == first.pfn + 511
end

local function collapses(v0)
	return mm.vmstat().thp_collapse_alloc - v0.thp_collapse_alloc
end

-- 1. set up while 2048kB is never: MADV_HUGEPAGE registers nothing
mm.set(THP .. "hugepages-2048kB/enabled", "never")
local a = region("hugepage")
p:fill(a, 400 * PAGE, 1)
-- 2. only 64 KiB enabled: neither the advice nor the mTHP faults register
mm.set(THP .. "hugepages-64kB/enabled", "always")
local b = region("hugepage")
p:fill(b, 300 * PAGE, 2)
mm.set(THP .. "hugepages-64kB/enabled", "never")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local v0 = mm.vmstat()
mm.khugepaged_scan(2)
mm.observe("unregistered_a_thp", thp_at(a))
mm.observe("unregistered_b_thp", thp_at(b))
mm.observe("unregistered_collapses", collapses(v0))
mm.expect_eq(collapses(v0), 0, "an mm never registered is not scanned")

-- 3. MADV_HUGEPAGE of a range a PMD fits in, with 2048kB enabled: the mm
-- registers, and the earlier ranges collapse
-- (the count starts before the advice: on linux khugepaged may wake and
-- collapse as soon as the mm registers)
v0 = mm.vmstat()
region("hugepage")
mm.khugepaged_scan(2)
mm.observe("registered_a_thp", thp_at(a))
mm.observe("registered_b_thp", thp_at(b))
mm.observe("registered_collapses", collapses(v0))
mm.expect(collapses(v0) >= 1, "registered: the range set up before collapses")
mm.observe("a_data", p:verify(a, 400 * PAGE, 1) == true)
mm.observe("b_data", p:verify(b, 300 * PAGE, 2) == true)

-- 4. fork of a registered mm registers the child whatever the modes: its
-- own range, advised while 2048kB is never, collapses
mm.set(THP .. "hugepages-2048kB/enabled", "never")
local d = region("hugepage")
local ch = p:fork()
ch:fill(d, PMD, 4)                      -- small pages of its own, young
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.khugepaged_scan(2)
mm.observe("child_thp", thp_at(d, ch))
mm.expect(thp_at(d, ch), "the child is registered: its range collapses")
mm.observe("child_data", ch:verify(d, PMD, 4) == true)
