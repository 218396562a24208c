-- thp_huge_zero_page: a read fault in a MADV_HUGEPAGE range maps the huge
-- zero page with one PMD (do_huge_pmd_anonymous_page, use_zero_page=1):
-- pagemap shows all 512 entries present with consecutive PFNs of that one
-- 2 MiB zero folio (the same PFNs in another range), not exclusive and
-- with PM_FILE set (the folio is not anonymous); smaps Rss and
-- AnonHugePages and status RssAnon do not count it; VmPTE grows by the
-- page table deposited for a later split.  A write to it then allocates a
-- real THP (do_huge_zero_wp_pmd in recent kernels; older ones split the
-- PMD into zero-page PTEs and copied 4 KiB): thp_fault_alloc +1,
-- AnonHugePages 2048.  With use_zero_page=0 the read fault itself allocates the THP
-- (observed on 6.18), as it does where the kernel forbids zero pages
-- altogether (mm_forbids_zeropage: the huge zero page goes with the small
-- one); the write then finds the THP it already has.
local vma = mm.include("lib/vma.lua")
local contiguous = vma.contiguous
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
mm.set(THP .. "use_zero_page", "1")
local hzp = mm.has("huge_zero_page")
local p = mm.spawn()

local m = p:mmap{len = 4 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 4 * PMD, "hugepage")
local s0 = p:status()
local v0 = mm.vmstat()
p:read(a + 3 * PAGE, 1)
local v1 = mm.vmstat()
local s1 = p:status()
local pm = p:pagemap(a, 512)
p:read(a + PMD, 1)                      -- a second huge zero mapping
local pmb = p:pagemap(a + PMD)
mm.observe("read_present", pm[1].present and pm[512].present)
mm.observe("read_pfns_contiguous", contiguous(pm))
mm.observe("read_same_zero_folio", pmb.pfn == pm[1].pfn)
mm.observe("read_exclusive", pm[1].exclusive)
mm.observe("read_file_bit", pm[1].file)
mm.observe("read_thp_kb", p:smaps(a).AnonHugePages)
mm.observe("read_rss_kb", p:smaps(a).Rss)
mm.observe("read_rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("read_vmpte_delta_kb", s1.VmPTE - s0.VmPTE)
mm.observe("read_fault_alloc_delta", v1.thp_fault_alloc - v0.thp_fault_alloc)
mm.expect(contiguous(pm), "512 present entries of one 2 MiB folio")
if hzp then
	mm.expect(pmb.pfn == pm[1].pfn, "one huge zero page for every mapping")
	mm.expect(not pm[1].exclusive, "the huge zero page is not exclusive")
	mm.expect_eq(p:smaps(a).AnonHugePages, 0, "not an anonymous THP")
	mm.expect_eq(p:smaps(a).Rss, 0, "smaps Rss does not count it")
	mm.expect_eq(s1.RssAnon - s0.RssAnon, 0, "nor RssAnon")
	mm.expect_eq(v1.thp_fault_alloc - v0.thp_fault_alloc, 0, "nothing allocated")
else
	mm.expect(pmb.pfn ~= pm[1].pfn, "no huge zero page: a THP per range")
	mm.expect(pm[1].exclusive, "no huge zero page: an exclusive THP")
	mm.expect_eq(s1.RssAnon - s0.RssAnon, 2048, "no huge zero page: 2 MiB RssAnon")
	mm.expect_eq(v1.thp_fault_alloc - v0.thp_fault_alloc, 1, "the read allocated")
end
mm.expect_eq(p:read(a + 100 * PAGE, 8), string.rep("\0", 8), "reads zero")

-- a write: a real THP replaces the huge zero page
local w0 = mm.vmstat()
p:write(a + 7 * PAGE, "z")
local w1 = mm.vmstat()
local s2 = p:status()
local pm2 = p:pagemap(a, 512)
mm.observe("write_fault_alloc_delta", w1.thp_fault_alloc - w0.thp_fault_alloc)
mm.observe("write_thp_kb", p:smaps(a).AnonHugePages - 0)
mm.observe("write_rss_anon_delta_kb", s2.RssAnon - s0.RssAnon)
mm.observe("write_new_frames", pm2[1].pfn ~= pm[1].pfn and contiguous(pm2))
mm.observe("write_exclusive", pm2[1].exclusive)
if hzp then
	mm.expect_eq(w1.thp_fault_alloc - w0.thp_fault_alloc, 1, "thp_fault_alloc +1")
	mm.expect_eq(s2.RssAnon - s0.RssAnon, 2048, "a real 2 MiB folio")
	mm.expect(pm2[1].pfn ~= pm[1].pfn and contiguous(pm2), "new contiguous frames")
else
	mm.expect_eq(w1.thp_fault_alloc - w0.thp_fault_alloc, 0, "the THP is there")
	mm.expect_eq(s2.RssAnon - s0.RssAnon, 4096, "two THPs, one per read range")
	mm.expect(pm2[1].pfn == pm[1].pfn, "the same frames")
end
mm.expect_eq(p:read(a + 7 * PAGE, 1), "z", "the write landed")
if hzp then
	mm.expect_eq(p:pagemap(a + PMD).pfn, pm[1].pfn, "the other range still maps the zero page")
end

-- use_zero_page=0: the read fault allocates the THP
mm.set(THP .. "use_zero_page", "0")
local z0 = mm.vmstat()
local s3 = p:status()
p:read(a + 2 * PMD, 1)
local z1 = mm.vmstat()
local s4 = p:status()
mm.observe("nozero_fault_alloc_delta", z1.thp_fault_alloc - z0.thp_fault_alloc)
mm.observe("nozero_rss_anon_delta_kb", s4.RssAnon - s3.RssAnon)
mm.observe("nozero_exclusive", p:pagemap(a + 2 * PMD).exclusive)
mm.expect_eq(z1.thp_fault_alloc - z0.thp_fault_alloc, 1, "read allocates a THP")
mm.expect_eq(s4.RssAnon - s3.RssAnon, 2048, "2 MiB of anonymous memory")
