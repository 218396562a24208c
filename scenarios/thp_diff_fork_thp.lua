-- thp_diff_fork_thp: fork with a PMD THP and with 64k mTHPs: smaps of both, writes,
-- child exit then parent write (reuse or copy), fork after partial DONTNEED.
mm.require("thp")
mm.require("mthp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "khugepaged/max_ptes_shared", 0)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(THP .. "hugepages-64kB/enabled", "madvise")
local F = {"Rss", "Pss", "Anonymous", "AnonHugePages", "Private_Dirty", "Shared_Dirty", "Private_Clean", "Shared_Clean", "Referenced"}
-- a forked child's Referenced only where accessed bits are exact (not
-- under a hypervisor that sets them in its shadow page tables)
local exact_young = mm.has("exact_accessed_bits")
local function sm(name, p, a)
  local s = p:smaps(a)
  for _, f in ipairs(F) do
    if f ~= "Referenced" or exact_young or not name:match("_child") then
      mm.observe(name .. "_" .. f, s[f])
    end
  end
end
local V = {"thp_split_pmd", "thp_split_page", "thp_deferred_split_page"}
local function vd(name, v0, v1) for _, k in ipairs(V) do mm.observe(name .. "_" .. k, v1[k] - v0[k]) end end
local p = mm.spawn()
local function region(len)
  local m = p:mmap{len = len + 3 * PMD}
  local a = (m + PMD - 1) & ~(PMD - 1)
  p:munmap(a + len, m + len + 3 * PMD - a - len)
  if a > m then p:munmap(m, a - m) end
  p:madvise(a, len, "hugepage")
  return a
end
-- A: PMD THP; fork; child exits; parent writes
local a = region(PMD)
p:fill(a, PMD, 1)
local pfn0 = p:pagemap(a).pfn
local c = p:fork()
sm("A_parent", p, a) sm("A_child", c, a)
c:exit()
mm.observe("A_excl_after_exit", p:pagemap(a).exclusive)
local v0 = mm.vmstat()
p:fill(a + 10 * PAGE, PAGE, 2)
local v1 = mm.vmstat()
vd("A_write", v0, v1)
mm.observe("A_reused", p:pagemap(a + 10 * PAGE).pfn == pfn0 + 10)
mm.observe("A_thp", p:smaps(a).AnonHugePages)
mm.observe("A_excl", p:pagemap(a + 10 * PAGE).exclusive)
-- B: PMD THP; fork; parent writes (split+copy); child exits; parent writes again
local b = region(PMD)
p:fill(b, PMD, 1)
local pb = p:pagemap(b).pfn
c = p:fork()
local w0 = mm.vmstat()
p:fill(b + 3 * PAGE, PAGE, 2)
local w1 = mm.vmstat()
vd("B_pwrite", w0, w1)
sm("B_parent", p, b) sm("B_child", c, b)
mm.observe("B_p3_new", p:pagemap(b + 3 * PAGE).pfn ~= pb + 3)
mm.observe("B_p4_excl", p:pagemap(b + 4 * PAGE).exclusive)
mm.observe("B_c3_excl", c:pagemap(b + 3 * PAGE).exclusive)
mm.observe("B_c4_excl", c:pagemap(b + 4 * PAGE).exclusive)
mm.observe("B_c_thp", c:smaps(b).AnonHugePages)
c:exit()
mm.observe("B_p4_excl_after_exit", p:pagemap(b + 4 * PAGE).exclusive)
local x0 = mm.vmstat()
local s0 = p:status()
p:fill(b + 4 * PAGE, PAGE, 3)
local x1 = mm.vmstat()
mm.observe("B_p4_reused", p:pagemap(b + 4 * PAGE).pfn == pb + 4)
mm.observe("B_p4_excl_after_write", p:pagemap(b + 4 * PAGE).exclusive)
mm.observe("B_rss_delta", p:status().RssAnon - s0.RssAnon)
vd("B_write2", x0, x1)
sm("B_end", p, b)
-- C: 64k mTHPs; fork; smaps; child write; exit; parent write
mm.set(THP .. "hugepages-2048kB/enabled", "never")
local d = region(PMD)
p:fill(d, 64 * PAGE, 4)
local pd = p:pagemap(d).pfn
local pd20 = p:pagemap(d + 20 * PAGE).pfn
c = p:fork()
sm("C_parent", p, d) sm("C_child", c, d)
local cs0 = c:status()
c:fill(d + 5 * PAGE, PAGE, 5)
mm.observe("C_child_rss_delta", c:status().RssAnon - cs0.RssAnon)
mm.observe("C_child_new", c:pagemap(d + 5 * PAGE).pfn ~= pd + 5)
mm.observe("C_child_p6_same", c:pagemap(d + 6 * PAGE).pfn == pd + 6)
mm.observe("C_child_p6_excl", c:pagemap(d + 6 * PAGE).exclusive)
sm("C_child2", c, d)
c:exit()
mm.observe("C_parent_excl_after_exit", p:pagemap(d + 5 * PAGE).exclusive)
local ps0 = p:status()
p:fill(d + 5 * PAGE, PAGE, 6)
p:fill(d + 20 * PAGE, PAGE, 6)
mm.observe("C_parent_reused", p:pagemap(d + 5 * PAGE).pfn == pd + 5)
mm.observe("C_parent_reused20", p:pagemap(d + 20 * PAGE).pfn == pd20)
mm.observe("C_parent_rss_delta", p:status().RssAnon - ps0.RssAnon)
-- D: fork with a partially DONTNEED'd THP
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local e = region(PMD)
p:fill(e, PMD, 7)
local pe = p:pagemap(e).pfn
p:madvise(e + 100 * PAGE, 10 * PAGE, "dontneed")
c = p:fork()
sm("D_parent", p, e) sm("D_child", c, e)
mm.observe("D_child_same", c:pagemap(e + 200 * PAGE).pfn == pe + 200)
mm.observe("D_child_excl", c:pagemap(e + 200 * PAGE).exclusive)
mm.observe("D_parent_excl", p:pagemap(e + 200 * PAGE).exclusive)
local cs = c:status()
c:fill(e + 200 * PAGE, PAGE, 8)
c:fill(e + 105 * PAGE, PAGE, 8)
mm.observe("D_child_rss_delta", c:status().RssAnon - cs.RssAnon)
mm.observe("D_parent_ok", p:verify(e + 200 * PAGE, PAGE, 7) == true)
c:exit()
-- E: parent writes after fork w/ mTHP while child alive, then child writes same
mm.set(THP .. "hugepages-2048kB/enabled", "never")
local f = region(PMD)
p:fill(f, 64 * PAGE, 9)
c = p:fork()
p:fill(f, 16 * PAGE, 10)      -- parent copies 16 pages one at a time
sm("E_parent", p, f) sm("E_child", c, f)
mm.observe("E_child_excl0", c:pagemap(f).exclusive)
local cs2 = c:status()
c:fill(f, PAGE, 11)           -- child now sole mapper of page 0 of old folio
mm.observe("E_child_reuse0", c:status().RssAnon - cs2.RssAnon)
c:exit()
