-- thp_pageout_fallback: MADV_PAGEOUT of a PMD-mapped THP with a swap file.
-- Reclaim asks swap for 512 contiguous slots; this host's swap files never
-- give a large folio its own cluster, so shrink_folio_list splits the THP
-- (thp_split_pmd, thp_split_page, thp_swpout_fallback and the 2 MiB size's
-- swpout_fallback +1; thp_swpout 0) and writes 512 small pages.  Reading
-- back finds them in the swap cache (no pswpin) as small pages.
mm.require("swap")
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local ST = THP .. "hugepages-2048kB/stats/"
mm.set(THP .. "enabled", "madvise")
mm.swapon(64 * mm.MB)
local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 2 * PMD, "hugepage")
p:fill(a, PMD, 5)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "a THP to start with")
local v0, s0 = mm.vmstat(), p:status()
local fb0, so0 = tonumber(mm.get(ST .. "swpout_fallback")), tonumber(mm.get(ST .. "swpout"))
p:madvise(a, PMD, "pageout")
local v1, s1 = mm.vmstat(), p:status()
for _, k in ipairs{"thp_swpout", "thp_swpout_fallback", "pswpout", "thp_split_page",
		   "thp_split_pmd", "thp_deferred_split_page"} do
	mm.observe(k .. "_delta", v1[k] - v0[k])
end
mm.observe("stat_swpout_fallback_delta", tonumber(mm.get(ST .. "swpout_fallback")) - fb0)
mm.observe("stat_swpout_delta", tonumber(mm.get(ST .. "swpout")) - so0)
local pm = p:pagemap(a, 512)
local sw = 0
for i = 1, 512 do if pm[i].swap then sw = sw + 1 end end
mm.observe("swapped_ptes", sw)
mm.observe("rss_delta_kb", s1.VmRSS - s0.VmRSS)
mm.observe("vmswap_kb", s1.VmSwap)
mm.observe("thp_kb_after", p:smaps(a).AnonHugePages)
mm.expect_eq(v1.thp_swpout_fallback - v0.thp_swpout_fallback, 1, "split for swap")
mm.expect_eq(v1.pswpout - v0.pswpout, 512, "512 small pages written")
mm.expect_eq(sw, 512, "every PTE a swap entry")
local v2 = mm.vmstat()
mm.observe("data", p:verify(a, PMD, 5) == true)
local v3 = mm.vmstat()
mm.observe("pswpin_delta", v3.pswpin - v2.pswpin)
mm.observe("thp_kb_after_read", p:smaps(a).AnonHugePages)
mm.expect_eq(p:smaps(a).AnonHugePages, 0, "small pages after reading back")
