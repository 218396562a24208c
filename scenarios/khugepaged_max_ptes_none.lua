-- khugepaged_max_ptes_none: khugepaged collapses a 2 MiB range only when
-- at most max_ptes_none of its PTEs are empty (selftests/mm/khugepaged.c
-- collapse_max_ptes_none): with 256, 255 present pages stay small, 256
-- present pages become a THP.
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local KHP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(KHP .. "enabled", "madvise")
mm.set(KHP .. "khugepaged/max_ptes_none", 256)
local p = mm.spawn()
local m = p:mmap{len = 3 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 3 * PMD, "nohugepage")
p:touch(a, 255 * PAGE, "w")		-- region 1: 255 present, 257 none
p:touch(a + PMD, 256 * PAGE, "w")	-- region 2: 256 present, 256 none
p:madvise(m, 3 * PMD, "hugepage")
mm.khugepaged_scan(2)
local r1 = p:smaps(a).AnonHugePages
mm.observe("thp_kb", r1)
mm.expect_eq(r1, 2048, "exactly one of the two regions collapsed")
local pm1, pm2 = p:pagemap(a + 300 * PAGE), p:pagemap(a + PMD + 300 * PAGE)
mm.observe("region1_collapsed", pm1.present)
mm.observe("region2_collapsed", pm2.present)
mm.expect(not pm1.present, "255 present: not collapsed")
mm.expect(pm2.present, "256 present: collapsed (page 300 now mapped)")
