-- thp_diff_mthp_order: with several mTHP sizes enabled, which order does a fault
-- choose at VMA edges, near existing pages, in a small VMA.
local vma = mm.include("lib/vma.lua")
local present = vma.present
mm.require("thp")
mm.require("mthp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "enabled", "never")
mm.set(THP .. "hugepages-2048kB/enabled", "never")
local sizes = {16, 32, 64, 128, 256, 512, 1024}
for _, s in ipairs(sizes) do mm.set(THP .. "hugepages-" .. s .. "kB/enabled", "always") end
-- size (in pages) of the run of consecutive pfns containing page idx (1-based) in pm
local function run(pm, i)
  if not pm[i].present then return 0 end
  local lo, hi = i, i
  while lo > 1 and pm[lo-1].present and pm[lo-1].pfn == pm[lo].pfn - 1 do lo = lo - 1 end
  while hi < #pm and pm[hi+1].present and pm[hi+1].pfn == pm[hi].pfn + 1 do hi = hi + 1 end
  return hi - lo + 1, lo
end
local p = mm.spawn()
local function region(len, off)
  local m = p:mmap{len = len + 2 * PMD}
  local a = (m + PMD - 1) & ~(PMD - 1)
  return a + (off or 0)
end
local function probe(name, base, npages, idx)
  local s0 = p:status()
  p:write(base + idx * PAGE, "x")
  local s1 = p:status()
  local pm = p:pagemap(base, npages)
  local r, lo = run(pm, idx + 1)
  mm.observe(name .. "_rss", s1.RssAnon - s0.RssAnon)

  mm.observe(name .. "_present", present(pm))
end
-- a: a whole aligned 2 MiB region, fault in the middle: 1024k expected
local a = region(PMD)
probe("mid", a, 512, 300)
-- b: same region, a second fault in the other 1 MiB half, after one page
-- in that 1024k block already exists
local b = region(PMD)
probe("first", b, 512, 3)     -- 1024k at 0..255
probe("second", b, 512, 260)  -- in 256..511
-- c: existing page in block; fault at various distances
local c = region(PMD)
mm.set(THP .. "hugepages-1024kB/enabled", "never")
for _, s in ipairs(sizes) do mm.set(THP .. "hugepages-" .. s .. "kB/enabled", "never") end
p:write(c + 100 * PAGE, "o")       -- a single small page at 100
for _, s in ipairs(sizes) do mm.set(THP .. "hugepages-" .. s .. "kB/enabled", "always") end
probe("near1", c, 512, 101)   -- 100 populated, so 16k block 100..103 not none
probe("near2", c, 512, 104)   -- block 104..107 free; 32k 104..111 free; 64k 96..111 has 100,101
probe("near3", c, 512, 130)
probe("near4", c, 512, 300)
-- d: VMA of 40 pages starting at an offset 3 from 64-page alignment
local d0 = region(PMD)
p:munmap(d0 - PMD, PMD + 3 * PAGE)
p:munmap(d0 + 43 * PAGE, 2 * PMD - 43 * PAGE)
mm.observe("edge_vma_kb", p:smaps(d0 + 3 * PAGE).Size)
probe("edge_lo", d0 + 3 * PAGE, 40, 0)
probe("edge_mid", d0 + 3 * PAGE, 40, 14)
probe("edge_hi", d0 + 3 * PAGE, 40, 39)
-- e: a VMA not 2 MiB aligned, 3 MiB long, starting at 1 MiB offset
local e0 = region(4 * PMD)
local e = e0 + mm.MB
p:munmap(e0 - PMD, PMD + mm.MB)
p:munmap(e + 3 * mm.MB, 4 * PMD - 4 * mm.MB + PMD)
mm.observe("e_vma_kb", p:smaps(e).Size)
probe("e_first", e, 768, 0)
probe("e_cross", e, 768, 256 + 5)
