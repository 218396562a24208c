-- mremap_thp: a PMD-mapped THP moves whole, still PMD-mapped, when source
-- and destination are both PMD-aligned (move_huge_pmd, with its deposited
-- PTE table); moved to a place off the PMD grid it is split first and its
-- pages move as PTEs (the folio stays whole, PTE-mapped).  Observed on 6.18.
local P, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()

local function area(n)
	local m = p:mmap{len = (n + 1) * PMD}
	p:munmap(m, (n + 1) * PMD)
	return (m + PMD - 1) & ~(PMD - 1)
end

local src = area(2)
p:mmap{addr = src, len = 2 * PMD, flags = "private,anonymous,fixed"}
p:madvise(src, 2 * PMD, "hugepage")
p:fill(src, 2 * PMD, 1)
local data = p:read(src, 2 * PMD)
mm.observe("thp_kb", p:smaps(src).AnonHugePages)
local st0 = p:status()

local dst = area(2)
p:mremap(src, 2 * PMD, 2 * PMD, "maymove,fixed", dst)
mm.observe("aligned_thp_kb", p:smaps(dst).AnonHugePages)
mm.expect_eq(p:smaps(dst).AnonHugePages, 4096, "both THPs still PMD-mapped")
mm.observe("aligned_data", p:read(dst, 2 * PMD) == data)
mm.observe("aligned_vmpte_delta", p:status().VmPTE - st0.VmPTE)
mm.observe("aligned_rss_delta", p:status().RssAnon - st0.RssAnon)
mm.observe("aligned_hugepage_flag", p:smaps(dst).VmFlags:find("hg") ~= nil)

-- one PMD's worth moved half a PMD off: that THP is split
local odd = area(2) + PMD // 2
p:mremap(dst + PMD, PMD, PMD, "maymove,fixed", odd)
mm.observe("split_thp_kb", p:smaps(odd).AnonHugePages)
mm.expect_eq(p:smaps(odd).AnonHugePages, 0, "off the PMD grid: split")
mm.observe("kept_thp_kb", p:smaps(dst).AnonHugePages)
mm.observe("split_data", p:read(odd, PMD) == data:sub(PMD + 1))
mm.observe("split_rss_delta", p:status().RssAnon - st0.RssAnon)
mm.observe("split_vmpte_delta", p:status().VmPTE - st0.VmPTE)

-- part of a THP moved out: split, the rest stays
p:mremap(dst, 16 * P, 16 * P, "maymove,fixed", area(1) + 5 * P)
mm.observe("part_rest_thp_kb", p:smaps(dst + 16 * P).AnonHugePages)
mm.observe("part_rest_data", p:read(dst + 16 * P, PMD - 16 * P) == data:sub(16 * P + 1, PMD))
