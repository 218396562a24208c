-- thp_diff_mthp_modes: hugepages-64kB mode x top-level x madvise, write fault in a
-- 2 MiB aligned region (2048kB never). Also 2048 + 64 both enabled.
local vma = mm.include("lib/vma.lua")
local present = vma.present
mm.require("thp")
mm.require("mthp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local S64 = THP .. "hugepages-64kB/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
local function stat(n) return tonumber(mm.get(S64 .. "stats/" .. n)) end
local p = mm.spawn()
for _, top in ipairs{"always", "madvise", "never"} do
  for _, sz in ipairs{"inherit", "always", "madvise", "never"} do
    for _, adv in ipairs{"none", "hugepage", "nohugepage"} do
      mm.set(THP .. "enabled", top)
      mm.set(THP .. "hugepages-2048kB/enabled", "never")
      mm.set(S64 .. "enabled", sz)
      local m = p:mmap{len = 2 * PMD}
      local a = (m + PMD - 1) & ~(PMD - 1)
      if adv ~= "none" then p:madvise(m, 2 * PMD, adv) end
      local s0 = p:status()
      local f0 = stat("anon_fault_alloc")
      p:write(a + 5 * PAGE, "x")
      local f1 = stat("anon_fault_alloc")
      local s1 = p:status()
      local k = top .. "_" .. sz .. "_" .. adv
      mm.observe(k .. "_rss_delta", s1.RssAnon - s0.RssAnon)
      p:munmap(m, 2 * PMD)
    end
  end
end
-- both 2048 (inherit) and 64 (always) enabled, top madvise, no madvise:
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(S64 .. "enabled", "always")
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
local s0 = p:status()
p:write(a, "x")
mm.observe("mix_rss", p:status().RssAnon - s0.RssAnon)
p:madvise(m, 2 * PMD, "hugepage")
s0 = p:status()
p:write(a + PMD - PAGE, "x")
mm.observe("mix_madv_rss", p:status().RssAnon - s0.RssAnon)
mm.observe("mix_madv_thp", p:smaps(a).AnonHugePages)
