-- thp_diff_collapse_layouts: MADV_COLLAPSE on many layouts: mixed mTHP folios,
-- swapped pages, after fork, read-only, PROT_NONE, two VMAs, unaligned,
-- enabled=never, already a THP.
local vma = mm.include("lib/vma.lua")
local count = vma.count_if
local contig = vma.contiguous
mm.require("swap")
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "khugepaged/max_ptes_swap", 0)
mm.set(THP .. "khugepaged/max_ptes_shared", 0)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.swapon(64 * mm.MB)
local errno = mm.errno
local V = {"thp_collapse_alloc", "thp_collapse_alloc_failed", "pswpin", "thp_split_pmd", "thp_split_page"}
local p = mm.spawn()
local function region(n)
  local m = p:mmap{len = (n or 1) * PMD + PMD}
  return (m + PMD - 1) & ~(PMD - 1), m
end
local function collapse(name, proc, a, len, chk)
  local s0, v0 = proc:status(), mm.vmstat()
  mm.observe(name .. "_ret", errno(proc.madvise, proc, a, len, "collapse"))
  local v1, s1 = mm.vmstat(), proc:status()
  for _, k in ipairs(V) do mm.observe(name .. "_" .. k, v1[k] - v0[k]) end
  mm.observe(name .. "_rss", s1.RssAnon - s0.RssAnon)
  mm.observe(name .. "_shmem", s1.RssShmem - s0.RssShmem)
  mm.observe(name .. "_vmpte", s1.VmPTE - s0.VmPTE)
  local ok, sm = pcall(proc.smaps, proc, chk or a)
  if ok and sm then
    mm.observe(name .. "_thp", sm.AnonHugePages)
    mm.observe(name .. "_shmempmd", sm.ShmemPmdMapped)
  end
  local ok2, pm = pcall(proc.pagemap, proc, chk or a, 512)
  if ok2 then mm.observe(name .. "_contig", contig(pm)) end
end
-- 1 mixed mTHP sizes
mm.set(THP .. "hugepages-2048kB/enabled", "never")
local a = region()
local off = 0
for _, s in ipairs{16, 32, 64, 128, 256, 512, 1024} do mm.set(THP .. "hugepages-" .. s .. "kB/enabled", "never") end
for i, s in ipairs{1024, 256, 64, 16, 32, 128} do
  mm.set(THP .. "hugepages-" .. s .. "kB/enabled", "always")
  p:fill(a + off, s * 1024, 5)
  mm.set(THP .. "hugepages-" .. s .. "kB/enabled", "never")
  off = off + s * 1024
end
mm.observe("mixed_filled_kb", off // 1024)
collapse("mixed", p, a, PMD)
mm.observe("mixed_data", p:verify(a, off, 5) == true)
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
-- 2 swapped pages (100 of 512)
local b = region()
p:fill(b, PMD, 6)
p:madvise(b, 100 * PAGE, "pageout")
mm.observe("swapped_before", count(p:pagemap(b, 512), function(e) return e.swap end))
collapse("swapped", p, b, PMD)
mm.observe("swapped_data", p:verify(b, PMD, 6) == true)
-- 3 after fork: child collapses; parent unchanged
local c = region()
p:fill(c, PMD, 7)
local ch = p:fork()
collapse("fork_child", ch, c, PMD)
mm.observe("fork_parent_thp", p:smaps(c).AnonHugePages)
mm.observe("fork_parent_excl", p:pagemap(c).exclusive)
mm.observe("fork_child_data", ch:verify(c, PMD, 7) == true)
ch:exit()
mm.observe("fork_parent_excl_after", p:pagemap(c).exclusive)
-- 4 read-only with data
local d = region()
p:fill(d, PMD, 8)
p:mprotect(d, PMD, "r")
collapse("ro", p, d, PMD)
mm.observe("ro_data", p:verify(d, PMD, 8) == true)
-- 5 read-only zero pages only
local d2 = region()
p:touch(d2, PMD, "r")
p:mprotect(d2, PMD, "r")
collapse("ro_zero", p, d2, PMD)
-- 6 PROT_NONE with data
local e = region()
p:fill(e, PMD, 9)
p:mprotect(e, PMD, "none")
collapse("protnone", p, e, PMD)
p:mprotect(e, PMD, "rw")
mm.observe("protnone_data", p:verify(e, PMD, 9) == true)
-- 7 two VMAs: the PMD range spans rw and r halves
local f = region(2)
p:fill(f, 2 * PMD, 10)
p:mprotect(f + PMD + PMD // 2, PMD // 2, "r")
collapse("two_vma", p, f, 2 * PMD)
mm.observe("two_vma_second_thp", p:smaps(f + PMD).AnonHugePages)
-- 8 a VMA boundary inside one PMD only (range covers it)
local f2 = region(1)
p:fill(f2, PMD, 10)
p:mprotect(f2 + 100 * PAGE, PAGE, "r")
collapse("split_vma", p, f2, PMD)
-- 9 unaligned start/len covering one full PMD
local g = region(2)
p:fill(g, 2 * PMD, 11)
collapse("unaligned", p, g + PAGE, 2 * PMD - PAGE, g + PMD)
mm.observe("unaligned_first", p:smaps(g).AnonHugePages)
-- 10 start not page-aligned
local h = region()
mm.observe("unaligned_byte", errno(p.madvise, p, h + 1, PMD, "collapse"))
-- 11 unmapped hole in range
local i0 = region(2)
p:fill(i0, PMD, 12)
p:munmap(i0 + PMD, PMD)
collapse("hole", p, i0, 2 * PMD)
-- 12 enabled=never
mm.set(THP .. "enabled", "never")
local j = region()
p:fill(j, PMD, 13)
collapse("never", p, j, PMD)
mm.set(THP .. "hugepages-2048kB/enabled", "never")
local j2 = region()
p:fill(j2, PMD, 13)
collapse("size_never", p, j2, PMD)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
-- 13 already a THP
local k = region()
p:madvise(k, PMD, "hugepage")
p:fill(k, PMD, 14)
collapse("already", p, k, PMD)
-- (shared anonymous and memfd ranges: MADV_COLLAPSE of shmem is not
-- modelled, see README)
-- 17 page with pages none and zero mix
local q = region()
p:touch(q, 100 * PAGE, "r")
p:fill(q + 200 * PAGE, 10 * PAGE, 18)
collapse("zero_mix", p, q, PMD)
mm.observe("zero_mix_data", p:verify(q + 200 * PAGE, 10 * PAGE, 18) == true)
