-- thp_diff_mthp_reuse: 64k mTHPs shared over fork; child exits; the parent writes a
-- page of a folio the child never touched and one it did: reuse or copy?
mm.require("thp")
mm.require("mthp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "never")
mm.set(THP .. "hugepages-64kB/enabled", "always")
local p = mm.spawn()
local m = p:mmap{len = 3 * PMD}
local d = (m + PMD - 1) & ~(PMD - 1)
p:fill(d, 64 * PAGE, 4)
local pre = p:pagemap(d, 64)
local c = p:fork()
local mode = mm.args[1] or "cw"
if mode == "cw" then c:fill(d + 5 * PAGE, PAGE, 5) end
c:exit()
mm.observe("excl5", p:pagemap(d + 5 * PAGE).exclusive)
mm.observe("excl20", p:pagemap(d + 20 * PAGE).exclusive)
local s0 = p:status()
p:fill(d + 20 * PAGE, PAGE, 6)
mm.observe("reused20", p:pagemap(d + 20 * PAGE).pfn == pre[21].pfn)
p:fill(d + 5 * PAGE, PAGE, 6)
mm.observe("reused5", p:pagemap(d + 5 * PAGE).pfn == pre[6].pfn)
p:fill(d + 21 * PAGE, PAGE, 6)
mm.observe("reused21", p:pagemap(d + 21 * PAGE).pfn == pre[22].pfn)
p:fill(d + 40 * PAGE, PAGE, 6)
mm.observe("reused40", p:pagemap(d + 40 * PAGE).pfn == pre[41].pfn)
mm.observe("rss_delta", p:status().RssAnon - s0.RssAnon)
