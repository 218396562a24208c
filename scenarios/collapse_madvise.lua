-- collapse_madvise: MADV_COLLAPSE (6.1) turns a 2 MiB-aligned range of
-- small pages into one THP, whatever THP "enabled" says and with most pages
-- never touched (zero-filled); the data of the touched pages survive.
-- Ranges without a whole aligned 2 MiB inside: EINVAL when the range lies
-- within one PMD, 0 and nothing done when the rounded-in start equals the
-- rounded-in end (observed on 6.18).
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local m = p:mmap{len = 4 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
-- THP "enabled" is madvise by default: faults map small pages here
p:fill(a, 16 * PAGE, 99)
mm.observe("thp_before_kb", p:smaps(a).AnonHugePages)
local errno = mm.errno
mm.observe("within_one_pmd", errno(p.madvise, p, a + PAGE, PMD - 2 * PAGE, "collapse"))
mm.observe("rounded_empty", errno(p.madvise, p, a + PAGE, PMD, "collapse"))
mm.expect_eq(errno(p.madvise, p, a + PAGE, PMD - 2 * PAGE, "collapse"), "EINVAL",
	"inside one PMD")
mm.expect_eq(errno(p.madvise, p, a + PAGE, PMD, "collapse"), "ok", "nothing to do")
mm.expect_eq(p:smaps(a).AnonHugePages, 0, "no THP yet")
p:madvise(a, PMD, "collapse")
mm.observe("thp_after_kb", p:smaps(a).AnonHugePages)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "one THP")
local pm = p:pagemap(a, 512)
local contiguous = true
for i = 2, 512 do
	if pm[i].pfn ~= pm[1].pfn + i - 1 then contiguous = false end
end
mm.observe("all_present_contiguous", contiguous and pm[512].present)
mm.expect(contiguous and pm[512].present, "512 pages of one folio")
mm.observe("data_kept", p:verify(a, 16 * PAGE, 99) == true)
mm.expect_eq(p:verify(a, 16 * PAGE, 99), true, "data survive the copy")
mm.expect_eq(p:read(a + 100 * PAGE, 4), "\0\0\0\0", "untouched pages are zero")
