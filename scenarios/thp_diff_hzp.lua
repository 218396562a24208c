-- thp_diff_hzp: huge zero page: split by DONTNEED/mprotect/munmap of a part, write
-- after split, fork with hzp, MADV_COLLAPSE over hzp, always w/o madvise.
local vma = mm.include("lib/vma.lua")
local present = vma.present
local contig = vma.contiguous
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "khugepaged/max_ptes_none", 0)
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(THP .. "use_zero_page", "1")
local function allsame(pm) for i=2,#pm do if not pm[i].present or pm[i].pfn ~= pm[1].pfn then return false end end return pm[1].present end
local p = mm.spawn()
local st0 = p:status()
local m = p:mmap{len = 8 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 8 * PMD, "hugepage")
-- 1. hzp then DONTNEED one page
p:read(a, 1)
local hz = p:pagemap(a).pfn
local s0, v0 = p:status(), mm.vmstat()
p:madvise(a + 10 * PAGE, PAGE, "dontneed")
local v1, s1 = mm.vmstat(), p:status()
local pm = p:pagemap(a, 512)
mm.observe("dn_split_pmd", v1.thp_split_pmd - v0.thp_split_pmd)
mm.observe("dn_present", present(pm))
mm.observe("dn_vmpte_delta", s1.VmPTE - s0.VmPTE)
mm.observe("dn_p0_is_hz", pm[1].pfn == hz)
mm.observe("dn_p0_file", pm[1].file)
mm.observe("dn_p0_excl", pm[1].exclusive)
mm.observe("dn_all_same_pfn", allsame({pm[1], pm[2], pm[100]}))
mm.observe("dn_rss", p:smaps(a).Rss)
-- write after split: small page
local w0 = mm.vmstat()
p:write(a + 20 * PAGE, "w")
local w1 = mm.vmstat()
mm.observe("dn_write_present", present(p:pagemap(a, 512)))
mm.observe("dn_write_rss", p:smaps(a).Rss)
mm.observe("dn_write_excl", p:pagemap(a + 20 * PAGE).exclusive)
-- read of the dontneed'd page: small zero page
p:read(a + 10 * PAGE, 1)
mm.observe("dn_reread_present", p:pagemap(a + 10 * PAGE).present)
mm.observe("dn_reread_same_as_p0", p:pagemap(a + 10 * PAGE).pfn == p:pagemap(a).pfn)

-- 2. hzp then mprotect part
local b = a + PMD
p:read(b, 1)
local x0 = mm.vmstat()
p:mprotect(b, 4 * PAGE, "r")
local x1 = mm.vmstat()
mm.observe("mp_split_pmd", x1.thp_split_pmd - x0.thp_split_pmd)
mm.observe("mp_present", present(p:pagemap(b, 512)))
mm.observe("mp_thp_kb", p:smaps(b + 8 * PAGE).AnonHugePages)
-- 3. hzp then munmap part
local c = a + 2 * PMD
p:read(c, 1)
local y0 = mm.vmstat()
p:munmap(c + PMD - 4 * PAGE, 4 * PAGE)
local y1 = mm.vmstat()
mm.observe("mu_split_pmd", y1.thp_split_pmd - y0.thp_split_pmd)
mm.observe("mu_present", present(p:pagemap(c, 508)))
-- 4. fork with hzp; child write
local d = a + 4 * PMD
p:read(d, 1)
local ch = p:fork()
mm.observe("fork_child_hz", ch:pagemap(d).pfn == hz)
mm.observe("fork_child_contig", contig(ch:pagemap(d, 512)))
local z0 = mm.vmstat()
local cs0 = ch:status()
ch:write(d + 3 * PAGE, "c")
local z1 = mm.vmstat()
local cs1 = ch:status()
mm.observe("fork_child_write_thp", ch:smaps(d).AnonHugePages)
mm.observe("fork_child_rss_delta", cs1.RssAnon - cs0.RssAnon)
mm.observe("fork_parent_still_hz", p:pagemap(d).pfn == hz)
ch:exit()
-- 5. MADV_COLLAPSE over hzp
local e = a + 5 * PMD
p:read(e, 1)
local c0 = mm.vmstat()
local ok, err = pcall(p.madvise, p, e, PMD, "collapse")
local c1 = mm.vmstat()
mm.observe("collapse_hz_ok", ok and "ok" or tostring(err):match("E%u+"))
mm.observe("collapse_hz_alloc", c1.thp_collapse_alloc - c0.thp_collapse_alloc)
mm.observe("collapse_hz_thp", p:smaps(e).AnonHugePages)
mm.observe("collapse_hz_still", p:pagemap(e).pfn == hz)
-- 6. always without madvise: read
mm.set(THP .. "enabled", "always")
local n = p:mmap{len = 2 * PMD}
local f = (n + PMD - 1) & ~(PMD - 1)
p:read(f + 7 * PAGE, 1)
mm.observe("always_read_hz", p:pagemap(f).pfn == hz and present(p:pagemap(f, 512)))
-- 7. hzp then pageout/cold
local g = a + 6 * PMD
p:read(g, 1)
local q0 = mm.vmstat()
p:madvise(g, PMD, "pageout")
local q1 = mm.vmstat()
mm.observe("pageout_hz_present", present(p:pagemap(g, 512)))
mm.observe("pageout_hz_split", q1.thp_split_pmd - q0.thp_split_pmd)
-- 8. MADV_FREE of hzp
local h = a + 7 * PMD
p:read(h, 1)
local r0 = mm.vmstat()
p:madvise(h, PMD, "free")
local r1 = mm.vmstat()
mm.observe("free_hz_present", present(p:pagemap(h, 512)))
mm.observe("free_hz_split", r1.thp_split_pmd - r0.thp_split_pmd)
p:madvise(h + PAGE, PAGE, "free")
local r2 = mm.vmstat()
mm.observe("free_hz_part_present", present(p:pagemap(h, 512)))
mm.observe("free_hz_part_split", r2.thp_split_pmd - r1.thp_split_pmd)
