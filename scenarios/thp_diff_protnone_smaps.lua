-- thp_diff_protnone_smaps: smaps of PROT_NONE VMAs holding a PMD THP / small pages /
-- a 64k mTHP; THPeligible in several VMAs.
mm.require("thp")
mm.require("mthp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local F = {"Rss", "Pss", "Anonymous", "AnonHugePages", "Private_Dirty", "Referenced"}
local p = mm.spawn()
local function region()
  local m = p:mmap{len = 2 * PMD}
  return (m + PMD - 1) & ~(PMD - 1), m
end
local function sm(name, a)
  local s = p:smaps(a)
  for _, f in ipairs(F) do mm.observe(name .. "_" .. f, s[f] or -1) end
  mm.observe(name .. "_present", p:pagemap(a).present)
end
local a, am = region()
p:madvise(am, 2 * PMD, "hugepage")
p:fill(a, PMD, 1)
sm("thp_rw", a)
p:mprotect(am, 2 * PMD, "none")
sm("thp_none", a)
p:mprotect(am, 2 * PMD, "r")
sm("thp_r", a)
local b, bm = region()
p:fill(b, 16 * PAGE, 1)
p:mprotect(bm, 2 * PMD, "none")
sm("small_none", b)
mm.set(THP .. "hugepages-64kB/enabled", "always")
local c, cm = region()
p:fill(c, 16 * PAGE, 1)
p:mprotect(cm, 2 * PMD, "none")
sm("m64_none", c)
