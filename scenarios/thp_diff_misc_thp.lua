-- thp_diff_misc_thp: mprotect r/rw round trip of a THP then write (reuse), read after
-- whole-PMD DONTNEED (huge zero page again), pageout of a THP shared over
-- fork, mTHP order next to a swap PTE, userfaultfd on a THP region.
local vma = mm.include("lib/vma.lua")
local count = vma.count_if
mm.require("swap")
mm.require("uffd_wp")
mm.require("thp")
mm.require("mthp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "khugepaged/max_ptes_swap", 0)
mm.set(THP .. "khugepaged/max_ptes_shared", 0)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.swapon(64 * mm.MB)
local V = {"thp_split_pmd", "thp_split_page", "pswpout", "thp_deferred_split_page"}
local function vd(name, v0, v1) for _, k in ipairs(V) do mm.observe(name .. "_" .. k, v1[k] - v0[k]) end end
local p = mm.spawn()
local function region()
  local m = p:mmap{len = 4 * PMD}
  local a = (m + PMD - 1) & ~(PMD - 1)
  p:munmap(a + PMD, m + 4 * PMD - a - PMD)
  if a > m then p:munmap(m, a - m) end
  p:madvise(a, PMD, "hugepage")
  return a
end
-- 1 mprotect r then rw, write
local a = region()
p:fill(a, PMD, 1)
local pf = p:pagemap(a).pfn
local v0 = mm.vmstat()
p:mprotect(a, PMD, "r")
local ok, err = pcall(p.write, p, a, "x")
mm.observe("ro_write", ok and "ok" or tostring(err):match("SIG%u+"))
p:mprotect(a, PMD, "rw")
p:write(a + 9 * PAGE, "y")
local v1 = mm.vmstat()
vd("mprot", v0, v1)
mm.observe("mprot_same_pfn", p:pagemap(a + 9 * PAGE).pfn == pf + 9)
mm.observe("mprot_thp", p:smaps(a).AnonHugePages)
-- 2 DONTNEED whole then read then write
local b = region()
p:fill(b, PMD, 2)
p:madvise(b, PMD, "dontneed")
local w0 = mm.vmstat()
p:read(b + 3 * PAGE, 1)
mm.observe("dn_read_present", count(p:pagemap(b, 512), function(e) return e.present end))
mm.observe("dn_read_rss", p:smaps(b).Rss)
p:write(b, "z")
vd("dn_rw", w0, mm.vmstat())
mm.observe("dn_write_thp", p:smaps(b).AnonHugePages)
-- 3 pageout of a THP shared with a child
local c = region()
p:fill(c, PMD, 3)
local ch = p:fork()
local u0 = mm.vmstat()
p:madvise(c, PMD, "pageout")
local u1 = mm.vmstat()
vd("shared_pageout", u0, u1)
mm.observe("shared_pageout_present", count(p:pagemap(c, 512), function(e) return e.present end))
mm.observe("shared_pageout_thp", p:smaps(c).AnonHugePages)
p:madvise(c + PAGE, 4 * PAGE, "pageout")
local u2 = mm.vmstat()
vd("shared_pageout_part", u1, u2)
mm.observe("shared_pageout_part_present", count(p:pagemap(c, 512), function(e) return e.present end))
ch:exit()
-- 4 mTHP next to a swap PTE
mm.set(THP .. "hugepages-2048kB/enabled", "never")
mm.set(THP .. "hugepages-64kB/enabled", "always")
mm.set(THP .. "hugepages-16kB/enabled", "always")
local d = region()
mm.set(THP .. "hugepages-64kB/enabled", "never")
mm.set(THP .. "hugepages-16kB/enabled", "never")
p:fill(d + 5 * PAGE, PAGE, 4)
p:madvise(d + 5 * PAGE, PAGE, "pageout")
mm.observe("swap_pte", p:pagemap(d + 5 * PAGE).swap)
mm.set(THP .. "hugepages-64kB/enabled", "always")
mm.set(THP .. "hugepages-16kB/enabled", "always")
local s0 = p:status()
p:write(d + 13 * PAGE, "q")   -- 64k block 0..15 holds the swap PTE; 16k block 12..15 is free
mm.observe("near_swap_rss", p:status().RssAnon - s0.RssAnon)
local s1 = p:status()
p:write(d + 6 * PAGE, "q")    -- 16k block 4..7 holds the swap PTE
mm.observe("near_swap2_rss", p:status().RssAnon - s1.RssAnon)
mm.observe("swap_pte_after", p:pagemap(d + 5 * PAGE).swap)
-- 5 userfaultfd missing on a THP region
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local e = region()
p:uffd_register(e, PMD, "missing")
local z0 = mm.vmstat()
local s2 = p:status()
p:write(e + 3 * PAGE, "u")
mm.observe("uffd_rss", p:status().RssAnon - s2.RssAnon)
mm.observe("uffd_events", #p:uffd_events())
-- 6 uffd-wp on part of an existing THP
local f = region()
p:fill(f, PMD, 6)
p:uffd_register(f, PMD, "wp")
local y0 = mm.vmstat()
p:uffd_wp(f + 10 * PAGE, PAGE, true)
local y1 = mm.vmstat()
vd("uffdwp", y0, y1)
mm.observe("uffdwp_thp", p:smaps(f).AnonHugePages)
p:uffd_wp(f, PMD, true)
p:write(f + 100 * PAGE, "w")
mm.observe("uffdwp_events", #p:uffd_events())
mm.observe("uffdwp_after_thp", p:smaps(f).AnonHugePages)
