-- thp_diff_free_thp: MADV_FREE of a PMD THP / 64k mTHPs: smaps LazyFree, write after
-- free, pageout after free (no swap), counters.
local vma = mm.include("lib/vma.lua")
local count = vma.count_if
mm.require("thp")
mm.require("mthp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(THP .. "hugepages-64kB/enabled", "madvise")
local V = {"thp_split_pmd", "thp_split_page", "thp_deferred_split_page", "pglazyfree", "pglazyfreed"}
local F = {"Rss", "AnonHugePages", "LazyFree", "Private_Dirty", "Private_Clean", "Anonymous"}
local p = mm.spawn()
local function region()
  local m = p:mmap{len = 3 * PMD}
  local a = (m + PMD - 1) & ~(PMD - 1)
  p:madvise(m, 3 * PMD, "hugepage")
  p:fill(a, PMD, 1)
  return a
end
local function obs(name, a, v0, v1)
  for _, k in ipairs(V) do mm.observe(name .. "_" .. k, (v1[k] or -1) - (v0[k] or -1)) end
  local s = p:smaps(a)
  for _, f in ipairs(F) do mm.observe(name .. "_" .. f, s[f] or -1) end
  mm.observe(name .. "_present", count(p:pagemap(a, 512), function(e) return e.present end))
end
for _, kind in ipairs{"pmd", "m64"} do
  if kind == "m64" then mm.set(THP .. "hugepages-2048kB/enabled", "never") end
  -- whole free, write one page, pageout
  local a = region()
  local v0 = mm.vmstat()
  p:madvise(a, PMD, "free")
  local v1 = mm.vmstat()
  obs(kind .. "_free", a, v0, v1)
  p:write(a + 40 * PAGE, "w")
  obs(kind .. "_write", a, v1, mm.vmstat())
  local v2 = mm.vmstat()
  p:madvise(a, PMD, "pageout")
  local v3 = mm.vmstat()
  obs(kind .. "_pageout", a, v2, v3)
  mm.observe(kind .. "_w_kept", p:read(a + 40 * PAGE, 1) == "w")
  mm.observe(kind .. "_p0", p:read(a, 8) == string.rep("\0", 8))
  mm.observe(kind .. "_p41_keep", p:verify(a + 41 * PAGE, PAGE, 1) == true)
  -- whole free, then pageout directly
  local b = region()
  local u0 = mm.vmstat()
  p:madvise(b, PMD, "free")
  p:madvise(b, PMD, "pageout")
  local u1 = mm.vmstat()
  obs(kind .. "_free_pageout", b, u0, u1)
  mm.observe(kind .. "_free_pageout_zero", p:read(b + 7 * PAGE, 8) == string.rep("\0", 8))
  -- partial free then pageout
  local c = region()
  local t0 = mm.vmstat()
  p:madvise(c + 8 * PAGE, 8 * PAGE, "free")
  local t1 = mm.vmstat()
  obs(kind .. "_pfree", c, t0, t1)
  p:madvise(c, PMD, "pageout")
  obs(kind .. "_pfree_pageout", c, t1, mm.vmstat())
  mm.observe(kind .. "_pfree_zero", p:read(c + 9 * PAGE, 8) == string.rep("\0", 8))
  mm.observe(kind .. "_pfree_keep", p:verify(c, 8 * PAGE, 1) == true)
end
