-- khugepaged_likely_shared (model only): folio_likely_mapped_shared's false negative, measured.  The same
-- layout as scenarios/khugepaged_shared_extreme.lua region 1: a 2 MiB THP F shared by
-- a parent and its child, each mapping subpages 1..256 of F by PTEs plus
-- its own copy of page 0, the other 255 PTEs none; F's first subpage is
-- mapped nowhere and F's mapcount is 512 = nr_pages.  With
-- shared_check=likely (the pre-6.15 folio_likely_mapped_shared: look at
-- the first subpage) F counts as exclusive, so khugepaged with
-- max_ptes_shared=0 collapses both ranges: each process copies 256 shared
-- pages and zero-fills 255 into a new THP, while F stays allocated until
-- both copies exist.  With maybe (6.18) and precise nothing collapses.
-- Run as a meson test with MMLAB_SET selecting the predicate; the
-- expectations depend on it (argument 1: likely | maybe | precise).
local mode = mm.args[1] or "likely"
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local KHP = THP .. "khugepaged/"
mm.set("/sys/kernel/mm/mmlab/shared_check", mode)
mm.set(THP .. "enabled", "madvise")
mm.set(KHP .. "max_ptes_none", 511)
mm.set(KHP .. "max_ptes_shared", 0)
local NR_ANON = THP .. "hugepages-2048kB/stats/nr_anon"

local p = mm.spawn()
local m = p:mmap{len = 3 * PMD}
local r = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 3 * PMD, "hugepage")
p:fill(r, PMD, 81)
local c = p:fork()
for _, proc in ipairs{p, c} do
	proc:fill(r, PAGE, 83)
	proc:madvise(r + 257 * PAGE, 255 * PAGE, "dontneed")
end
local ps0, cs0 = p:status(), c:status()
local n0 = tonumber(mm.get(NR_ANON))
local v0 = mm.vmstat()
mm.khugepaged_scan(3)
local v1 = mm.vmstat()
local collapsed = v1.thp_collapse_alloc - v0.thp_collapse_alloc
local extra_kb = (p:status().RssAnon - ps0.RssAnon) + (c:status().RssAnon - cs0.RssAnon)
mm.observe("mode", mode)
mm.observe("collapses", collapsed)
mm.observe("rss_anon_extra_kb", extra_kb)
mm.observe("nr_anon_delta", tonumber(mm.get(NR_ANON)) - n0)
if mode == "likely" then
	mm.expect_eq(collapsed, 2, "the false negative: both ranges collapse")
	-- each process: 512 pages now, it had 257 (1 own + 256 of F)
	mm.expect_eq(extra_kb, 2 * (2048 - 257 * 4), "255 pages more per process")
	mm.expect_eq(tonumber(mm.get(NR_ANON)) - n0, 1, "F freed, two new THPs")
else
	mm.expect_eq(collapsed, 0, "F is shared: no collapse")
	mm.expect_eq(extra_kb, 0, "no memory spent")
end
mm.expect_eq(p:verify(r + PAGE, 256 * PAGE, 81), true, "the parent's data")
mm.expect_eq(c:verify(r + PAGE, 256 * PAGE, 81), true, "the child's data")
