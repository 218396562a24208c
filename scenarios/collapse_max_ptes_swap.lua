-- collapse_max_ptes_swap: khugepaged does not collapse a 2 MiB range with
-- more than max_ptes_swap (64) swapped-out PTEs (selftests/mm/
-- khugepaged.c collapse_max_ptes_swap): with 65 pages paged out the scan
-- stops (SCAN_EXCEED_SWAP_PTE: thp_scan_exceed_swap_pte grows) and the
-- pages stay in swap; with 64 paged out khugepaged swaps them in
-- (__collapse_huge_page_swapin) and collapses the range, data intact
-- (observed on 6.18).  Needs a swap area (mm.swapon).
-- Observed: pswpin does not move.  MADV_PAGEOUT leaves the written-out
-- folios in the swap cache (nothing reclaims them again on an idle
-- machine), so the "swap-in" finds them there and reads nothing; the
-- swapped PTEs still count against max_ptes_swap.
mm.require("swap")
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local KHP = THP .. "khugepaged/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(KHP .. "max_ptes_none", 511)
mm.set(KHP .. "max_ptes_swap", 64)
mm.swapon(64 * mm.MB)
local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)

local function swapped(n)
	local k = 0
	for _, e in ipairs(p:pagemap(a, n)) do
		if e.swap and not e.present then k = k + 1 end
	end
	return k
end

-- 65 pages in swap: no collapse
p:madvise(m, 2 * PMD, "nohugepage")
p:fill(a, PMD, 41)
p:madvise(a, 65 * PAGE, "pageout")
mm.observe("swapped_65", swapped(512))
mm.expect_eq(swapped(512), 65, "65 pages swapped out")
local v0 = mm.vmstat()
p:madvise(m, 2 * PMD, "hugepage")
mm.khugepaged_scan(2)
local v1 = mm.vmstat()
mm.observe("swap_65_thp_kb", p:smaps(a).AnonHugePages)
mm.observe("swap_65_still_swapped", swapped(512))
mm.observe("exceed_swap_grew", v1.thp_scan_exceed_swap_pte > v0.thp_scan_exceed_swap_pte)
mm.observe("swap_65_pswpin", v1.pswpin - v0.pswpin)
mm.expect_eq(p:smaps(a).AnonHugePages, 0, "65 > 64: no collapse")
mm.expect_eq(swapped(512), 65, "nothing swapped in")
mm.expect(v1.thp_scan_exceed_swap_pte > v0.thp_scan_exceed_swap_pte,
	"thp_scan_exceed_swap_pte grew")

-- 64 pages in swap: swapped in and collapsed
p:madvise(m, 2 * PMD, "nohugepage")	-- no collapse while we rearrange
p:fill(a, PMD, 42)
p:madvise(a, 64 * PAGE, "pageout")
mm.observe("swapped_64", swapped(512))
mm.expect_eq(swapped(512), 64, "64 pages swapped out")
local v2 = mm.vmstat()
p:madvise(m, 2 * PMD, "hugepage")
mm.khugepaged_scan(2)
local v3 = mm.vmstat()
mm.observe("swap_64_thp_kb", p:smaps(a).AnonHugePages)
mm.observe("swap_64_pswpin", v3.pswpin - v2.pswpin)
mm.observe("swap_64_vmswap_kb", p:status().VmSwap)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "64 <= 64: collapsed")
local pm = p:pagemap(a, 64)
local back = 0
for _, e in ipairs(pm) do
	if e.present and not e.swap then back = back + 1 end
end
mm.observe("swap_64_back_present", back)
mm.expect_eq(back, 64, "the 64 pages are back, in the THP")
mm.expect_eq(p:status().VmSwap, 0, "nothing left in swap")
mm.observe("data_kept", p:verify(a, PMD, 42) == true)
mm.expect_eq(p:verify(a, PMD, 42), true, "data kept")
