-- thp_diff_split_ops: DONTNEED/munmap/mprotect of part of one THP, exactly one THP,
-- a range spanning two THPs; counters and smaps.
local vma = mm.include("lib/vma.lua")
local present = vma.present
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local S2 = THP .. "hugepages-2048kB/stats/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local function st(n) return tonumber(mm.get(S2 .. n)) end
local V = {"thp_split_pmd", "thp_split_page", "thp_deferred_split_page", "thp_split_page_failed"}
local p = mm.spawn()
local function case(name, op, off, len)
  local m = p:mmap{len = 4 * PMD}
  local a = (m + PMD - 1) & ~(PMD - 1)
  p:madvise(m, 4 * PMD, "hugepage")
  p:fill(a, 2 * PMD, 3)
  local s0, v0 = p:status(), mm.vmstat()
  local sd0, sp0, na0, pm0 = st("split_deferred"), st("split"), st("nr_anon"), st("nr_anon_partially_mapped")
  if op == "mprotect" then p:mprotect(a + off, len, "r") else
    if op == "munmap" then p:munmap(a + off, len) else p:madvise(a + off, len, op) end end
  local v1, s1 = mm.vmstat(), p:status()
  for _, k in ipairs(V) do mm.observe(name .. "_" .. k, v1[k] - v0[k]) end
  mm.observe(name .. "_rss", s1.RssAnon - s0.RssAnon)
  mm.observe(name .. "_vmpte", s1.VmPTE - s0.VmPTE)
  mm.observe(name .. "_split_deferred", st("split_deferred") - sd0)
  mm.observe(name .. "_split", st("split") - sp0)
  mm.observe(name .. "_partially", st("nr_anon_partially_mapped") - pm0)
  local thp = 0
  for _, x in ipairs{a, a + PMD} do
    local ok, sm = pcall(p.smaps, p, x)
    if ok and sm then thp = thp + (sm.AnonHugePages or 0) end
  end
  if op == "mprotect" then mm.observe(name .. "_thp", p:smaps(a).AnonHugePages + p:smaps(a + 2*PMD - PAGE).AnonHugePages) end
  local ok, pm = pcall(p.pagemap, p, a, 1024)
  if ok then mm.observe(name .. "_present", present(pm)) end
  p:munmap(m, 4 * PMD)
end
for _, op in ipairs{"dontneed", "munmap", "mprotect", "free", "cold", "pageout"} do
  case(op .. "_part", op, 100 * PAGE, 3 * PAGE)
  case(op .. "_one", op, 0, PMD)
  case(op .. "_span", op, PMD - 4 * PAGE, 8 * PAGE)
  case(op .. "_head", op, 0, 16 * PAGE)
  case(op .. "_tail", op, PMD - 16 * PAGE, 16 * PAGE)
  case(op .. "_both", op, 0, 2 * PMD)
end
