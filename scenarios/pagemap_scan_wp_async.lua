-- pagemap_scan_wp_async: write tracking with userfaultfd's WP_ASYNC and
-- PAGEMAP_SCAN, as CRIU's incremental dumps use it.  A VMA registered for
-- wp with WP_ASYNC is "wpallowed"; after UFFDIO_WRITEPROTECT its pages are
-- not written (empty PTEs get markers: WP_ASYNC brings WP_UNPOPULATED); a
-- write resolves itself without an event and makes the page written again;
-- PM_SCAN_WP_MATCHING re-protects what a scan reports; a full vec or
-- max_pages ends the walk at walk_end; PM_SCAN_CHECK_WPASYNC fails with
-- EPERM at a VMA without WP_ASYNC (observed on 6.18;
-- selftests/mm/pagemap_ioctl.c).
mm.require("pagemap_scan")
mm.require("uffd_wp_async")
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()

p:uffd_api("wp_async")
local m = p:mmap{len = 6 * mm.PMD_SIZE}
local a = (m + mm.PMD_SIZE - 1) & ~(mm.PMD_SIZE - 1)
p:madvise(a, 4 * mm.PMD_SIZE, "nohugepage")
p:touch(a, PAGE, "w")
p:touch(a + 2 * PAGE, PAGE, "w")
p:uffd_register(a, 2 * mm.PMD_SIZE, "wp")
-- registered: wpallowed; empty PTEs and the table-less half are written
local _, _, runs = p:pagemap_scan(a, 2 * mm.PMD_SIZE)
mm.observe("registered", runs)
mm.expect_eq(runs, "0-1:wpallowed,written,present;1-2:wpallowed,written;" ..
	"2-3:wpallowed,written,present;3-1024:wpallowed,written", "all written")

p:uffd_wp(a, 16 * PAGE, true)
_, _, runs = p:pagemap_scan(a, 16 * PAGE)
mm.observe("protected", runs)
mm.expect_eq(runs, "0-1:wpallowed,present;1-2:wpallowed,swapped;" ..
	"2-3:wpallowed,present;3-16:wpallowed,swapped", "nothing written, markers on empty PTEs")

p:touch(a, PAGE, "w")
p:touch(a + 3 * PAGE, PAGE, "w")
p:touch(a + 4 * PAGE, PAGE, "r")
mm.observe("events", #p:uffd_events())
mm.expect_eq(#p:uffd_events(), 0, "WP_ASYNC: no event")
_, _, runs = p:pagemap_scan(a, 16 * PAGE)
mm.observe("after_writes", runs)
-- the read mapped the zero page (where there is one), protected
local zero = mm.has("zero_page") and ",pfnzero" or ""
mm.expect_eq(runs, "0-1:wpallowed,written,present;1-2:wpallowed,swapped;" ..
	"2-3:wpallowed,present;3-4:wpallowed,written,present;4-5:wpallowed,present" ..
	zero .. ";5-16:wpallowed,swapped", "the written pages")

-- written pages only (the kernel's fast path), re-protected as reported;
-- the empty PTEs past the protected range are written too
_, _, runs = p:pagemap_scan(a, 32 * PAGE, {flags = "wp_matching", category_mask = "written",
	return_mask = "written"})
mm.observe("written_wp", runs)
mm.expect_eq(runs, "0-1:written;3-4:written;16-32:written", "written runs")
_, _, runs = p:pagemap_scan(a, 32 * PAGE, {return_mask = "written,present"})
mm.observe("after_wp", runs)
mm.expect_eq(runs, "0-1:present;1-2:;2-5:present;5-32:", "all protected again")
mm.observe("events_after_wp", #p:uffd_events())

-- protect only: no vec
p:touch(a + 6 * PAGE, PAGE, "w")
p:touch(a + 20 * PAGE, PAGE, "w")
local regs = p:pagemap_scan(a, 32 * PAGE, {flags = "wp_matching", vec = false})
mm.observe("wp_only_regions", #regs)
regs = p:pagemap_scan(a, 32 * PAGE, {category_mask = "written"})
mm.observe("written_after_wp_only", #regs)
mm.expect_eq(#regs, 0, "nothing written")

-- a vec of one region: the walk stops where the second would start
local _, walk_end = p:pagemap_scan(a, 32 * PAGE, {vec_len = 1})
mm.observe("vec1_walk_end", (walk_end - a) // PAGE)
mm.expect_eq(walk_end, a + PAGE, "stopped after one region")
-- max_pages: two written pages reported and protected, the third not
p:touch(a + 6 * PAGE, 2 * PAGE, "w")
p:touch(a + 9 * PAGE, PAGE, "w")
_, walk_end, runs = p:pagemap_scan(a, 32 * PAGE, {flags = "wp_matching",
	category_mask = "written", max_pages = 2})
mm.observe("max_pages", runs)
mm.observe("max_pages_walk_end", (walk_end - a) // PAGE)
mm.expect_eq(runs, "6-8:wpallowed,written,present", "two pages")
mm.expect_eq(walk_end, a + 9 * PAGE, "stopped at the third")
_, _, runs = p:pagemap_scan(a + 6 * PAGE, 4 * PAGE)
mm.observe("after_max_pages", runs)
mm.expect_eq(runs, "0-2:wpallowed,present;2-3:wpallowed,swapped;" ..
	"3-4:wpallowed,written,present", "the third is still written")

-- the unregistered rest of the mapping
local ok, err = pcall(p.pagemap_scan, p, a + 2 * mm.PMD_SIZE, 8 * PAGE,
	{flags = "check_wpasync"})
mm.observe("check_wpasync", ok and "ok" or err:match("^E%u+"))
mm.expect(not ok and err:match("^EPERM"), "no WP_ASYNC there")
-- wp_matching over both: the registered table-less end is protected
_, _, runs = p:pagemap_scan(a + 2 * mm.PMD_SIZE - 8 * PAGE, 16 * PAGE, {flags = "wp_matching"})
mm.observe("wp_across", runs)
mm.expect_eq(runs, "0-8:wpallowed,written", "the unregistered VMA skipped")
_, _, runs = p:pagemap_scan(a + 2 * mm.PMD_SIZE - 8 * PAGE, 8 * PAGE)
mm.observe("wp_across_after", runs)
mm.expect_eq(runs, "0-8:wpallowed,swapped", "markers installed")
