-- thp_diff_defrag_modes: a THP write fault under every defrag value, with and
-- without MADV_HUGEPAGE (enabled=always), plenty of free memory.
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "enabled", "always")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local p = mm.spawn()
for _, d in ipairs{"always", "defer", "defer+madvise", "madvise", "never"} do
  mm.set(THP .. "defrag", d)
  mm.observe("get_" .. d, mm.get(THP .. "defrag"))
  for _, adv in ipairs{"none", "hugepage"} do
    local m = p:mmap{len = 2 * PMD}
    local a = (m + PMD - 1) & ~(PMD - 1)
    if adv ~= "none" then p:madvise(m, 2 * PMD, adv) end
    local v0 = mm.vmstat()
    p:write(a, "x")
    local v1 = mm.vmstat()
    mm.observe(d .. "_" .. adv .. "_fallback", v1.thp_fault_fallback - v0.thp_fault_fallback)
    mm.observe(d .. "_" .. adv .. "_thp", p:smaps(a).AnonHugePages)
    p:munmap(m, 2 * PMD)
  end
end
