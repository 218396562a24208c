-- thp_diff_knob_paths: which THP sysfs paths mm.get can read (value or errno).
mm.require("thp")
local THP = "/sys/kernel/mm/transparent_hugepage/"
local function g(path, show)
  local ok, v = pcall(mm.get, path)
  if ok then return show and v or "ok" end
  return tostring(v):match("(E%u+)") or "err"
end
for _, k in ipairs{"enabled", "defrag", "use_zero_page", "hpage_pmd_size", "shrink_underused", "shmem_enabled",
  "khugepaged/defrag", "khugepaged/max_ptes_none", "khugepaged/pages_to_scan", "khugepaged/scan_sleep_millisecs"} do
  mm.observe("get_" .. k, g(THP .. k, true))
end
for _, s in ipairs{16, 32, 64, 128, 256, 512, 1024, 2048} do
  mm.observe("get_" .. s .. "_enabled", g(THP .. "hugepages-" .. s .. "kB/enabled", true))
  for _, st in ipairs{"anon_fault_alloc", "anon_fault_fallback", "anon_fault_fallback_charge", "swpout", "swpout_fallback",
      "swpin", "swpin_fallback", "swpin_fallback_charge", "split", "split_failed", "split_deferred", "nr_anon", "nr_anon_partially_mapped", "zswpout", "shmem_alloc"} do
    mm.observe("get_" .. s .. "_" .. st, g(THP .. "hugepages-" .. s .. "kB/stats/" .. st))
  end
end
-- invalid writes
local function s(path, v)
  local ok, e = pcall(mm.set, path, v)
  return ok and "ok" or (tostring(e):match("(E%u+)") or "err")
end
mm.observe("set_enabled_inherit", s(THP .. "enabled", "inherit"))
mm.observe("set_2048_within", s(THP .. "hugepages-2048kB/enabled", "within_size"))
mm.observe("set_defrag_bogus", s(THP .. "defrag", "sometimes"))
mm.observe("set_max_ptes_none_512", s(THP .. "khugepaged/max_ptes_none", "512"))
mm.observe("set_use_zero_page_2", s(THP .. "use_zero_page", "2"))
mm.observe("set_pages_to_scan_0", s(THP .. "khugepaged/pages_to_scan", "0"))
mm.observe("set_scan_sleep_neg", s(THP .. "khugepaged/scan_sleep_millisecs", "-1"))
mm.observe("set_max_ptes_swap_neg", s(THP .. "khugepaged/max_ptes_swap", "-1"))
mm.observe("set_khp_defrag_2", s(THP .. "khugepaged/defrag", "2"))
mm.observe("set_use_zero_page_sp", s(THP .. "use_zero_page", " 1"))
mm.observe("set_enabled_nl", s(THP .. "enabled", "never\n"))
mm.observe("get_enabled_after", g(THP .. "enabled", true))
