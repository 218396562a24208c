-- khugepaged_shared_extreme: the corner case of khugepaged's "is this folio
-- shared?" test (David Hildenbrand, 2024, on replacing page_mapcount() by
-- folio_likely_mapped_shared()).  A 2 MiB THP F is shared over fork; then
-- in the parent's PMD range: PTE 0 maps another page, writable (the
-- parent's CoW copy of page 0), PTEs 1..256 map subpages 1..256 of F, the
-- rest (255) are none.  The child does the same, so F's first subpage is
-- mapped nowhere and F's total mapcount is 512 = nr_pages: the old
-- folio_likely_mapped_shared() looked at the first subpage only and said
-- "exclusive" (a false negative), so with max_ptes_shared=0 khugepaged
-- would have collapsed, copying 1 MiB per process.  6.18 tracks the two
-- mms mapping F (folio_maybe_mapped_shared, MM_ID, 6.15): F is shared,
-- 256 shared PTEs > 0, no collapse (thp_scan_exceed_share_pte grows).
-- MADV_COLLAPSE ignores max_ptes_shared: the parent gets a new THP while
-- F stays allocated for the child's 256 subpages (memory: F + the new
-- THP); once F is mapped by the child alone, its 256 PTEs are exclusive
-- and khugepaged collapses the child too, even with max_ptes_shared=0,
-- and F is freed.  Second region, as the task put it: the child keeps F
-- mapped by its PMD; the parent has the same layout.  max_ptes_shared=0:
-- no collapse; at the default 256 the parent's 256 shared PTEs are
-- allowed: the parent's range collapses into a new THP while F stays whole
-- in the child: 2 MiB of memory for 257 pages the parent uses
-- (observed on 6.18).
-- nr_anon is the machine-wide count of anonymous 2 MiB folios
-- (hugepages-2048kB/stats/nr_anon, read with mm.get).
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local KHP = THP .. "khugepaged/"
local NR_ANON = THP .. "hugepages-2048kB/stats/nr_anon"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(KHP .. "max_ptes_none", 511)
mm.set(KHP .. "max_ptes_shared", 0)
local function nr_anon() return tonumber(mm.get(NR_ANON)) end

local p = mm.spawn()
local m = p:mmap{len = 5 * PMD}
local r1 = (m + PMD - 1) & ~(PMD - 1)
local r2 = r1 + 2 * PMD
p:madvise(m, 5 * PMD, "hugepage")
p:munmap(r1 + PMD, PMD)                 -- two VMAs, each with its own smaps
p:fill(r1, PMD, 81)
p:fill(r2, PMD, 82)
mm.expect_eq(p:smaps(r1).AnonHugePages + p:smaps(r2).AnonHugePages, 4096,
	"two THPs to start with")
local f1 = p:pagemap(r1).pfn
local c = p:fork()

local function arrange(proc, r, seed)
	proc:fill(r, PAGE, seed)            -- splits the PMD, CoW of page 0
	proc:madvise(r + 257 * PAGE, 255 * PAGE, "dontneed")
end
arrange(p, r1, 83)
arrange(c, r1, 84)                      -- region 1: the thread's exact case
arrange(p, r2, 85)                      -- region 2: the child keeps its PMD

local function layout(proc, r)
	local pm = proc:pagemap(r, 512)
	local own, shared, none = 0, 0, 0
	for i = 1, 512 do
		local e = pm[i]
		if not e.present then none = none + 1
		elseif e.exclusive then own = own + 1
		else shared = shared + 1 end
	end
	return string.format("%d/%d/%d", own, shared, none)
end
mm.observe("r1_parent_layout_own_shared_none", layout(p, r1))
mm.observe("r1_child_layout_own_shared_none", layout(c, r1))
mm.observe("r2_parent_layout_own_shared_none", layout(p, r2))
mm.observe("r1_first_subpage_unmapped", p:pagemap(r1).pfn ~= f1 and c:pagemap(r1).pfn ~= f1)
mm.observe("r1_subpage1_is_F", p:pagemap(r1 + PAGE).pfn == f1 + 1 and c:pagemap(r1 + PAGE).pfn == f1 + 1)
mm.observe("r2_child_thp_kb", c:smaps(r2).AnonHugePages)
mm.expect_eq(layout(p, r1), "1/256/255", "parent: 1 own, 256 shared, 255 none")
mm.expect_eq(layout(c, r1), "1/256/255", "child: the same")
mm.expect_eq(layout(p, r2), "1/256/255", "parent, region 2")
mm.expect_eq(c:smaps(r2).AnonHugePages, 2048, "the child keeps F2 PMD-mapped")

-- 1. khugepaged, max_ptes_shared = 0
local ps0, cs0 = p:status(), c:status()
local n0 = nr_anon()
local v0 = mm.vmstat()
mm.khugepaged_scan(3)
local v1 = mm.vmstat()
mm.observe("ks0_r1_parent_thp_kb", p:smaps(r1).AnonHugePages)
mm.observe("ks0_r1_child_thp_kb", c:smaps(r1).AnonHugePages)
mm.observe("ks0_r2_parent_thp_kb", p:smaps(r2).AnonHugePages)
mm.observe("ks0_exceed_share_grew", v1.thp_scan_exceed_share_pte > v0.thp_scan_exceed_share_pte)
mm.observe("ks0_collapse_alloc_delta", v1.thp_collapse_alloc - v0.thp_collapse_alloc)
mm.expect_eq(p:smaps(r1).AnonHugePages, 0, "6.18 sees F shared: no collapse")
mm.expect_eq(c:smaps(r1).AnonHugePages, 0, "nor in the child")
mm.expect_eq(p:smaps(r2).AnonHugePages, 0, "region 2: no collapse")
mm.expect(v1.thp_scan_exceed_share_pte > v0.thp_scan_exceed_share_pte,
	"thp_scan_exceed_share_pte grew")

-- 2. MADV_COLLAPSE in the parent ignores max_ptes_shared
p:madvise(r1, PMD, "collapse")
local ps1, cs1 = p:status(), c:status()
local n1 = nr_anon()
mm.observe("mc_r1_parent_thp_kb", p:smaps(r1).AnonHugePages)
mm.observe("mc_parent_rss_anon_delta_kb", ps1.RssAnon - ps0.RssAnon)
mm.observe("mc_child_rss_anon_delta_kb", cs1.RssAnon - cs0.RssAnon)
mm.observe("mc_nr_anon_delta", n1 - n0)
mm.observe("mc_child_still_maps_F", c:pagemap(r1 + PAGE).pfn == f1 + 1)
mm.expect_eq(p:smaps(r1).AnonHugePages, 2048, "MADV_COLLAPSE: collapsed")
mm.expect_eq(ps1.RssAnon - ps0.RssAnon, 2048 - 257 * 4, "the parent pays 255 more pages")
mm.expect_eq(n1 - n0, 1, "F stays allocated next to the new THP")
mm.expect(c:pagemap(r1 + PAGE).pfn == f1 + 1, "the child still maps F")

-- 3. khugepaged again, max_ptes_shared still 0: F is the child's alone
local v2 = mm.vmstat()
mm.khugepaged_scan(3)
local v3 = mm.vmstat()
local cs2 = c:status()
local n2 = nr_anon()
mm.observe("ks0b_r1_child_thp_kb", c:smaps(r1).AnonHugePages)
mm.observe("ks0b_r2_parent_thp_kb", p:smaps(r2).AnonHugePages)
mm.observe("ks0b_child_rss_anon_delta_kb", cs2.RssAnon - cs1.RssAnon)
mm.observe("ks0b_nr_anon_delta", n2 - n1)
mm.observe("ks0b_collapse_alloc_delta", v3.thp_collapse_alloc - v2.thp_collapse_alloc)
mm.expect_eq(c:smaps(r1).AnonHugePages, 2048, "exclusive now: the child collapses")
mm.expect_eq(p:smaps(r2).AnonHugePages, 0, "region 2 is still shared")
mm.expect_eq(n2 - n1, 0, "one THP more, F freed")

-- 4. max_ptes_shared = 256 (the default): region 2's parent collapses
mm.set(KHP .. "max_ptes_shared", 256)
local ps3 = p:status()
mm.khugepaged_scan(3)
local ps4, cs4 = p:status(), c:status()
local n4 = nr_anon()
mm.observe("ks256_r2_parent_thp_kb", p:smaps(r2).AnonHugePages)
mm.observe("ks256_r2_child_thp_kb", c:smaps(r2).AnonHugePages)
mm.observe("ks256_parent_rss_anon_delta_kb", ps4.RssAnon - ps3.RssAnon)
mm.observe("ks256_nr_anon_delta", n4 - n2)
mm.expect_eq(p:smaps(r2).AnonHugePages, 2048, "256 shared <= 256: collapsed")
mm.expect_eq(c:smaps(r2).AnonHugePages, 2048, "the child keeps F2")
mm.expect_eq(n4 - n2, 1, "F2 and the parent's copy both allocated")

-- data survive everything
local ok = p:verify(r1, PAGE, 83) == true and p:verify(r1 + PAGE, 256 * PAGE, 81) == true
	and c:verify(r1, PAGE, 84) == true and c:verify(r1 + PAGE, 256 * PAGE, 81) == true
	and p:verify(r2, PAGE, 85) == true and p:verify(r2 + PAGE, 256 * PAGE, 82) == true
	and c:verify(r2, PMD, 82) == true
mm.observe("data_kept", ok)
mm.expect(ok, "data kept")
mm.expect_eq(p:read(r1 + 300 * PAGE, 8), string.rep("\0", 8), "collapsed none PTEs read zero")
c:exit()
