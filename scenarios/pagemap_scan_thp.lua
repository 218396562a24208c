-- pagemap_scan_thp: a PMD-mapped THP is one "huge" run.  PM_SCAN_WP_MATCHING
-- over all of it write-protects the PMD itself (it stays huge); over a part
-- of it the PMD is split first and only that part is protected;
-- UFFDIO_WRITEPROTECT of a whole anonymous THP keeps it huge too.  With
-- WP_ASYNC a write to a protected THP splits it and makes that one page
-- written (wp_huge_pmd; observed on 6.18).
mm.require("pagemap_scan")
mm.require("uffd_wp_async")
mm.require("thp")
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()

mm.set("/sys/kernel/mm/transparent_hugepage/enabled", "madvise")
p:uffd_api("wp_async")
local m = p:mmap{len = 4 * mm.PMD_SIZE}
local a = (m + mm.PMD_SIZE - 1) & ~(mm.PMD_SIZE - 1)
p:madvise(a, 2 * mm.PMD_SIZE, "hugepage")
p:touch(a, PAGE, "w")
p:touch(a + mm.PMD_SIZE, PAGE, "w")
local _, _, runs = p:pagemap_scan(a, 2 * mm.PMD_SIZE)
mm.observe("thps", runs)
mm.expect_eq(runs, "0-1024:written,present,huge", "two THPs, one run")
p:uffd_register(a, 2 * mm.PMD_SIZE, "wp")
-- protect all of the first THP and 16 pages of the second
_, _, runs = p:pagemap_scan(a, 2 * mm.PMD_SIZE, {flags = "wp_matching", max_pages = 512 + 16,
	return_mask = "huge"})
mm.observe("wp_matching", runs)
mm.expect_eq(runs, "0-512:huge;512-528:", "the second THP split to protect a part")
_, _, runs = p:pagemap_scan(a, 2 * mm.PMD_SIZE)
mm.observe("after_wp", runs)
mm.expect_eq(runs, "0-512:wpallowed,present,huge;512-528:wpallowed,present;" ..
	"528-1024:wpallowed,written,present", "the first stays huge")
-- UFFDIO_WRITEPROTECT of a whole anonymous THP changes the PMD in place
-- (change_huge_pmd) both ways
p:uffd_wp(a, mm.PMD_SIZE, false)
_, _, runs = p:pagemap_scan(a, mm.PMD_SIZE)
mm.observe("uffdio_unprotect", runs)
mm.expect_eq(runs, "0-512:wpallowed,written,present,huge", "unprotected, still huge")
p:uffd_wp(a, mm.PMD_SIZE, true)
_, _, runs = p:pagemap_scan(a, mm.PMD_SIZE)
mm.observe("uffdio_protect", runs)
mm.expect_eq(runs, "0-512:wpallowed,present,huge", "protected, still huge")
p:touch(a + 8 * PAGE, PAGE, "w")
mm.observe("events", #p:uffd_events())
_, _, runs = p:pagemap_scan(a, 16 * PAGE)
mm.observe("after_write", runs)
mm.expect_eq(runs, "0-8:wpallowed,present;8-9:wpallowed,written,present;" ..
	"9-16:wpallowed,present", "the write split it, one page written")
