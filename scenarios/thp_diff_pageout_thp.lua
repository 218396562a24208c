-- thp_diff_pageout_thp: MADV_PAGEOUT of a whole PMD THP and of 64k mTHPs with swap,
-- then read back.
local vma = mm.include("lib/vma.lua")
local count = vma.count_if
mm.require("swap")
mm.require("thp")
mm.require("mthp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "khugepaged/max_ptes_swap", 0)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(THP .. "hugepages-64kB/enabled", "madvise")
mm.swapon(64 * mm.MB)
local function swapcontig(pm) for i=2,#pm do if not pm[i].swap or pm[i].swap_offset ~= pm[1].swap_offset+i-1 then return false end end return pm[1].swap end
local V = {"thp_split_pmd", "thp_split_page", "thp_deferred_split_page", "thp_swpout", "thp_swpout_fallback", "pswpout", "pswpin"}
local function stats(sz)
  local t = {}
  for _, n in ipairs{"swpout", "swpout_fallback", "split", "swpin"} do
    t[n] = tonumber(mm.get(THP .. "hugepages-" .. sz .. "kB/stats/" .. n))
  end
  return t
end
local p = mm.spawn()
local function run(name, npages, sz, setup)
  local m = p:mmap{len = 2 * PMD + npages * PAGE}
  local a = (m + PMD - 1) & ~(PMD - 1)
  if setup then setup(m, a) end
  p:madvise(m, 2 * PMD + npages * PAGE, "hugepage")
  p:fill(a, npages * PAGE, 77)
  local s0, v0, t0 = p:status(), mm.vmstat(), stats(sz)
  p:madvise(a, npages * PAGE, "pageout")
  local v1, s1, t1 = mm.vmstat(), p:status(), stats(sz)
  for _, k in ipairs(V) do mm.observe(name .. "_" .. k, v1[k] - v0[k]) end
  for k, v in pairs(t1) do mm.observe(name .. "_" .. sz .. "_" .. k, v - t0[k]) end
  local pm = p:pagemap(a, npages)
  mm.observe(name .. "_swapped", count(pm, function(e) return e.swap end))
  mm.observe(name .. "_present", count(pm, function(e) return e.present end))
  mm.observe(name .. "_swap_contig", swapcontig(pm))
  mm.observe(name .. "_swap_aligned", pm[1].swap and pm[1].swap_offset % npages == 0)
  mm.observe(name .. "_rss", s1.RssAnon - s0.RssAnon)
  mm.observe(name .. "_vmswap", s1.VmSwap - s0.VmSwap)
  mm.observe(name .. "_smaps_swap", p:smaps(a).Swap)
  mm.observe(name .. "_thp", p:smaps(a).AnonHugePages)
  -- read back one page
  local r0, q0 = mm.vmstat(), stats(sz)
  local ok = p:verify(a + 5 * PAGE, PAGE, 77) == true
  local r1, q1 = mm.vmstat(), stats(sz)
  local s2 = p:status()
  mm.observe(name .. "_back_ok", ok)
  mm.observe(name .. "_back_rss", s2.RssAnon - s1.RssAnon)
  mm.observe(name .. "_back_present", count(p:pagemap(a, npages), function(e) return e.present end))
  mm.observe(name .. "_back_pswpin", r1.pswpin - r0.pswpin)
  mm.observe(name .. "_back_swpin_" .. sz, q1.swpin - q0.swpin)
  mm.observe(name .. "_back_thp", p:smaps(a).AnonHugePages)
  mm.observe(name .. "_all_ok", p:verify(a, npages * PAGE, 77) == true)
  mm.observe(name .. "_vmswap_end", p:status().VmSwap - s0.VmSwap)
  p:munmap(m, 2 * PMD + npages * PAGE)
end
run("pmd", 512, 2048)
mm.set(THP .. "hugepages-2048kB/enabled", "never")
run("m64", 64, 64)
