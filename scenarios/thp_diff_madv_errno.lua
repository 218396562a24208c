-- thp_diff_madv_errno: errno of THP-related madvise calls on odd ranges/VMAs.
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
local errno = mm.errno
local p = mm.spawn()
local m = p:mmap{len = 4 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
local advs = {"hugepage", "nohugepage", "collapse", "free", "cold", "pageout", "dontneed", "willneed"}
for _, adv in ipairs(advs) do
  mm.observe(adv .. "_unaligned", errno(p.madvise, p, a + 1, PAGE, adv))
  mm.observe(adv .. "_len0", errno(p.madvise, p, a, 0, adv))
  mm.observe(adv .. "_len0_unaligned", errno(p.madvise, p, a + 1, 0, adv))
  mm.observe(adv .. "_len_odd", errno(p.madvise, p, a, PAGE + 1, adv))
  mm.observe(adv .. "_wrap", errno(p.madvise, p, a, -PAGE, adv))
  mm.observe(adv .. "_unmapped", errno(p.madvise, p, 0x10000000, PAGE, adv))
  mm.observe(adv .. "_lowaddr", errno(p.madvise, p, 0, PAGE, adv))
  mm.observe(adv .. "_tail_hole", errno(p.madvise, p, m + 4 * PMD - PAGE, 2 * PAGE, adv))
end
-- shared anon / memfd
local s = p:mmap{len = 4 * PMD, flags = "shared,anonymous"}
local fd = p:memfd("z", 4 * PMD)
local f = p:mmap{len = 4 * PMD, flags = "shared", fd = fd}
local fp = p:mmap{len = 4 * PMD, flags = "private", fd = fd}
local pn = p:mmap{len = 4 * PMD, prot = "none"}
local ro = p:mmap{len = 4 * PMD, prot = "r"}
for _, adv in ipairs(advs) do
  mm.observe(adv .. "_shared_anon", errno(p.madvise, p, s, 4 * PMD, adv))
  mm.observe(adv .. "_memfd", errno(p.madvise, p, f, 4 * PMD, adv))
  mm.observe(adv .. "_memfd_private", errno(p.madvise, p, fp, 4 * PMD, adv))
  mm.observe(adv .. "_protnone", errno(p.madvise, p, pn, 4 * PMD, adv))
  mm.observe(adv .. "_ro", errno(p.madvise, p, ro, 4 * PMD, adv))
end
-- collapse on nohugepage region; collapse on empty aligned region
local n = p:mmap{len = 4 * PMD}
local na = (n + PMD - 1) & ~(PMD - 1)
p:madvise(n, 4 * PMD, "nohugepage")
mm.observe("collapse_nohuge", errno(p.madvise, p, na, PMD, "collapse"))
local e = p:mmap{len = 4 * PMD}
local ea = (e + PMD - 1) & ~(PMD - 1)
mm.observe("collapse_empty", errno(p.madvise, p, ea, PMD, "collapse"))
mm.observe("collapse_empty_thp", p:smaps(ea).AnonHugePages)
