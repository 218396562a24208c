-- thp_diff_uffd: userfaultfd missing / wp on THP-eligible ranges: a range
-- registered for missing faults takes them page by page (small pages), one
-- registered for wp only still gets a PMD THP at a write fault
-- (do_huge_pmd_anonymous_page diverts only userfaultfd_missing), mTHP
-- faults fall back on any registration; wp of one page of a THP splits it.
-- (a diff scenario: observations, compared with the kernel by mmlab diff)
mm.require("uffd_wp")
mm.require("thp")
mm.require("mthp")
PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
THP = "/sys/kernel/mm/transparent_hugepage/"
SIZES = {16, 32, 64, 128, 256, 512, 1024}
function count(pm, f) local n=0 for _,e in ipairs(pm) do if f(e) then n=n+1 end end return n end
function contig(pm) for i=2,#pm do if not pm[i].present or pm[i].pfn ~= pm[1].pfn+i-1 then return false end end return pm[1].present end
function aligned(pm, n) return pm[1].present and pm[1].pfn % n == 0 end
function errno(f, ...) local ok, err = pcall(f, ...) return ok and "ok" or (tostring(err):match("(E%u+)") or tostring(err)) end
function allnever() for _, s in ipairs(SIZES) do mm.set(THP .. "hugepages-" .. s .. "kB/enabled", "never") end end
function stats(sz)
  local t = {}
  for _, n in ipairs{"anon_fault_alloc","swpout", "swpout_fallback", "split", "split_deferred", "split_failed", "swpin", "nr_anon_partially_mapped"} do
    local ok, v = pcall(mm.get, THP .. "hugepages-" .. sz .. "kB/stats/" .. n)
    t[n] = ok and tonumber(v) or -1
  end
  return t
end
V = {"thp_split_pmd", "thp_split_page", "thp_collapse_alloc", "thp_collapse_alloc_failed", "thp_deferred_split_page", "thp_swpout_fallback", "pswpin", "pswpout"}
function vdelta(name, v0, v1) for _, k in ipairs(V) do mm.observe(name .. "_" .. k, v1[k] - v0[k]) end end
function sdelta(name, sz, t0, t1) for k, v in pairs(t1) do if k ~= "nr_anon_partially_mapped" and k~="anon_fault_alloc" then mm.observe(name .. "_" .. sz .. "_" .. k, v - t0[k]) end end end
function region(p, n)
  local m = p:mmap{len = (n or 1) * PMD + PMD}
  return (m + PMD - 1) & ~(PMD - 1), m
end
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
-- M: missing registered on MADV_HUGEPAGE range; write fault
local p = mm.spawn()
local a, m = region(p)
p:madvise(m, 2 * PMD, "hugepage")
p:uffd_register(a, PMD, "missing")
p:touch(a, 4 * PAGE, "w")
local ev = p:uffd_events()
mm.observe("M_events", #ev)
mm.observe("M_thp", p:smaps(a).AnonHugePages)
mm.observe("M_rss", p:smaps(a).Rss)
mm.observe("M_present", count(p:pagemap(a, 512), function(e) return e.present end))
mm.observe("M_eligible", p:smaps(a).THPeligible)
-- M2: read fault on missing-registered range
local a2 = a + 0
p:touch(a + 100 * PAGE, PAGE, "r")
mm.observe("M_read_events", #p:uffd_events())
mm.observe("M_read_present", count(p:pagemap(a, 512), function(e) return e.present end))
p:exit()
-- Mm: missing registered, mTHP 64k/32k always
mm.set(THP .. "hugepages-2048kB/enabled", "never")
mm.set(THP .. "hugepages-64kB/enabled", "always")
mm.set(THP .. "hugepages-32kB/enabled", "always")
p = mm.spawn()
a, m = region(p)
p:uffd_register(a, PMD, "missing")
p:touch(a, 20 * PAGE, "w")
mm.observe("Mm_events", #p:uffd_events())
mm.observe("Mm_present", count(p:pagemap(a, 512), function(e) return e.present end))
mm.observe("Mm_rss", p:smaps(a).Rss)
p:exit()
-- W0: wp registered (no faults yet), then write faults: THP allocated?
for _, mode in ipairs{"pmd", "m64"} do
  if mode == "pmd" then
    mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
    mm.set(THP .. "hugepages-64kB/enabled", "never")
  else
    mm.set(THP .. "hugepages-2048kB/enabled", "never")
    mm.set(THP .. "hugepages-64kB/enabled", "always")
  end
  mm.set(THP .. "hugepages-32kB/enabled", "never")
  local nm = "W" .. mode
  p = mm.spawn()
  a, m = region(p)
  p:madvise(m, 2 * PMD, "hugepage")
  p:uffd_register(a, PMD, "wp")
  p:touch(a, 2 * PAGE, "w")
  mm.observe(nm .. "_0_events", #p:uffd_events())
  mm.observe(nm .. "_0_thp", p:smaps(a).AnonHugePages)
  mm.observe(nm .. "_0_rss", p:smaps(a).Rss)
  p:fill(a, PMD, 8)
  local pm0 = p:pagemap(a, 512)
  -- wp a single 4K page of the folio
  local v0 = mm.vmstat()
  p:uffd_wp(a + 10 * PAGE, PAGE, true)
  local v1 = mm.vmstat()
  vdelta(nm .. "_wp1", v0, v1)
  local pm = p:pagemap(a, 512)
  mm.observe(nm .. "_wp1_thp", p:smaps(a).AnonHugePages)
  mm.observe(nm .. "_wp1_uffdwp", count(pm, function(e) return e.uffd_wp end))
  mm.observe(nm .. "_wp1_same_pfn", pm[11].pfn == pm0[11].pfn)
  p:write(a + 10 * PAGE, "x")
  local ev2 = p:uffd_events()
  mm.observe(nm .. "_wp1_events", #ev2)
  mm.observe(nm .. "_wp1_ev_off", ev2[1] and (ev2[1].addr - a) or -1)
  mm.observe(nm .. "_wp1_after_uffdwp", count(p:pagemap(a, 512), function(e) return e.uffd_wp end))
  mm.observe(nm .. "_wp1_pfn_kept", p:pagemap(a + 10 * PAGE).pfn == pm0[11].pfn)
  -- wp whole 2M
  local v2 = mm.vmstat()
  p:uffd_wp(a, PMD, true)
  local v3 = mm.vmstat()
  vdelta(nm .. "_wpall", v2, v3)
  mm.observe(nm .. "_wpall_thp", p:smaps(a).AnonHugePages)
  mm.observe(nm .. "_wpall_uffdwp", count(p:pagemap(a, 512), function(e) return e.uffd_wp end))
  p:write(a + 300 * PAGE, "y")
  local ev3 = p:uffd_events()
  mm.observe(nm .. "_wpall_events", #ev3)
  mm.observe(nm .. "_wpall_after_uffdwp", count(p:pagemap(a, 512), function(e) return e.uffd_wp end))
  mm.observe(nm .. "_wpall_thp2", p:smaps(a).AnonHugePages)
  -- read does not fault
  p:read(a + 5 * PAGE, 4)
  mm.observe(nm .. "_read_events", #p:uffd_events())
  -- unprotect all, write
  p:uffd_wp(a, PMD, false)
  p:write(a + 400 * PAGE, "z")
  mm.observe(nm .. "_un_events", #p:uffd_events())
  mm.observe(nm .. "_un_uffdwp", count(p:pagemap(a, 512), function(e) return e.uffd_wp end))
  mm.observe(nm .. "_un_thp", p:smaps(a).AnonHugePages)
  -- collapse with wp markers? re-protect one page then collapse
  p:uffd_wp(a + 7 * PAGE, PAGE, true)
  local v4 = mm.vmstat()
  mm.observe(nm .. "_coll_ret", errno(p.madvise, p, a, PMD, "collapse"))
  local v5 = mm.vmstat()
  vdelta(nm .. "_coll", v4, v5)
  mm.observe(nm .. "_coll_thp", p:smaps(a).AnonHugePages)
  mm.observe(nm .. "_coll_uffdwp", count(p:pagemap(a, 512), function(e) return e.uffd_wp end))
  p:exit()
end
