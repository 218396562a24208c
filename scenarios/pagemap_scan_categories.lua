-- pagemap_scan_categories: the PAGEMAP_SCAN ioctl (6.7) reports a range as
-- runs of pages with equal categories.  Without userfaultfd: a written page
-- is present and "written" (not uffd-wp protected), an empty PTE is written
-- too (6.18 with its stable fix for unpopulated PTEs), a range with no page
-- table at all has no category, a read fault maps the zero page (pfnzero)
-- where the kernel has one, a guard marker is guard and swapped, shmem
-- pages are file; masks pick pages, return_mask the categories reported
-- (observed on 6.18; selftests/mm/pagemap_ioctl.c).
mm.require("pagemap_scan")
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()

-- 4 MiB, 2 MiB-aligned, no THP: the second half gets no page table
local m = p:mmap{len = 6 * mm.PMD_SIZE}
local a = (m + mm.PMD_SIZE - 1) & ~(mm.PMD_SIZE - 1)
p:madvise(a, 2 * mm.PMD_SIZE, "nohugepage")
p:touch(a, PAGE, "w")
p:touch(a + 2 * PAGE, PAGE, "r")
p:madvise(a + 5 * PAGE, PAGE, "guard_install")
local _, walk_end, runs = p:pagemap_scan(a, 2 * mm.PMD_SIZE)
local zero = mm.has("zero_page") and "written,present,pfnzero" or "written,present"
mm.observe("anon", runs)
mm.expect_eq(runs, "0-1:written,present;1-2:written;2-3:" .. zero ..
	";3-5:written;5-6:written,swapped,guard;6-512:written;512-1024:",
	"categories of an anonymous range")
mm.observe("walk_end", (walk_end - a) // PAGE)
mm.expect_eq(walk_end, a + 2 * mm.PMD_SIZE, "walked to the end")

-- category_mask: present pages only, reported as present
_, _, runs = p:pagemap_scan(a, 2 * mm.PMD_SIZE, {category_mask = "present", return_mask = "present"})
mm.observe("present_only", runs)
mm.expect_eq(runs, "0-1:present;2-3:present", "two runs: not adjacent")
-- category_inverted: pages not written (the range without a table)
_, _, runs = p:pagemap_scan(a, 2 * mm.PMD_SIZE, {category_inverted = "written",
	category_mask = "written"})
mm.observe("not_written", runs)
mm.expect_eq(runs, "512-1024:", "only the hole is not written")
-- category_anyof_mask: guard or swapped
_, _, runs = p:pagemap_scan(a, 2 * mm.PMD_SIZE, {category_anyof_mask = "guard,swapped",
	return_mask = "guard"})
mm.observe("anyof_guard", runs)
mm.expect_eq(runs, "5-6:guard", "the guard page")
-- return_mask "" merges everything the masks let through
_, _, runs = p:pagemap_scan(a, 2 * mm.PMD_SIZE, {return_mask = ""})
mm.observe("merged", runs)
mm.expect_eq(runs, "0-1024:", "one run")

-- shmem: present pages are file, holes of the file are not
local fd = p:memfd("scan", 8 * PAGE)
local s = p:mmap{len = 8 * PAGE, flags = "shared", fd = fd}
p:touch(s, 2 * PAGE, "w")
_, _, runs = p:pagemap_scan(s, 8 * PAGE)
mm.observe("shmem", runs)
mm.expect_eq(runs, "0-2:written,file,present;2-8:written", "shmem pages are file")
