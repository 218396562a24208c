-- thp_diff_fault_modes: PMD THP at write fault for each top-level enabled x
-- hugepages-2048kB mode x madvise (none/hugepage/nohugepage).
local vma = mm.include("lib/vma.lua")
local present = vma.present
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
local p = mm.spawn()
for _, top in ipairs{"always", "madvise", "never"} do
  for _, sz in ipairs{"inherit", "always", "madvise", "never"} do
    for _, adv in ipairs{"none", "hugepage", "nohugepage"} do
      mm.set(THP .. "enabled", top)
      mm.set(THP .. "hugepages-2048kB/enabled", sz)
      local m = p:mmap{len = 2 * PMD}
      local a = (m + PMD - 1) & ~(PMD - 1)
      if adv ~= "none" then p:madvise(m, 2 * PMD, adv) end
      local s0, v0 = p:status(), mm.vmstat()
      p:write(a + 5 * PAGE, "x")
      local v1, s1 = mm.vmstat(), p:status()
      local k = top .. "_" .. sz .. "_" .. adv
      mm.observe(k .. "_thp_kb", p:smaps(a).AnonHugePages)
      mm.observe(k .. "_rss_delta", s1.RssAnon - s0.RssAnon)
      mm.observe(k .. "_present", present(p:pagemap(a, 512)))
      p:munmap(m, 2 * PMD)
    end
  end
end
