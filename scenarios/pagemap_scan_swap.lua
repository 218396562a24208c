-- pagemap_scan_swap: a paged-out anonymous page is "swapped" (and written
-- unless its swap PTE keeps userfaultfd's wp bit); with WP_ASYNC a swapped
-- page written after swap-in is written again, and PM_SCAN_WP_MATCHING
-- protects a swap PTE in place; a shmem page paged out leaves an empty PTE
-- (its swap slot is in the file), which reads written (observed on 6.18).
-- Needs a swap area (root on linux).
mm.require("pagemap_scan")
mm.require("uffd_wp_async")
mm.require("swap")
local PAGE = mm.PAGE_SIZE
mm.swapon(64 * mm.MB)
local p = mm.spawn()
p:uffd_api("wp_async")
local a = p:mmap{len = 8 * PAGE}
p:fill(a, 8 * PAGE, 7)
p:uffd_register(a, 8 * PAGE, "wp")
p:uffd_wp(a, 4 * PAGE, true)
p:madvise(a, 8 * PAGE, "pageout")
local _, _, runs = p:pagemap_scan(a, 8 * PAGE)
mm.observe("paged_out", runs)
mm.expect_eq(runs, "0-4:wpallowed,swapped;4-8:wpallowed,written,swapped",
	"swap PTEs, the first half protected")
-- protect the rest without touching it: the swap PTEs take the bit
_, _, runs = p:pagemap_scan(a, 8 * PAGE, {flags = "wp_matching", category_mask = "written",
	return_mask = "written"})
mm.observe("wp_matching", runs)
mm.expect_eq(runs, "4-8:written", "the unprotected half")
_, _, runs = p:pagemap_scan(a, 8 * PAGE)
mm.observe("protected", runs)
mm.expect_eq(runs, "0-8:wpallowed,swapped", "all protected")
-- swap-in by a read keeps the protection; a write makes it written
mm.expect_eq(p:verify(a, PAGE, 7), true, "swap-in by a read")
p:write(a + 2 * PAGE, "x")
_, _, runs = p:pagemap_scan(a, 4 * PAGE)
mm.observe("swapped_in", runs)
mm.expect_eq(runs, "0-1:wpallowed,present;1-2:wpallowed,swapped;" ..
	"2-3:wpallowed,written,present;3-4:wpallowed,swapped", "read and written")
mm.observe("events", #p:uffd_events())
-- shmem: paged out, the PTE is empty
local fd = p:memfd("swap", 4 * PAGE)
local s = p:mmap{len = 4 * PAGE, flags = "shared", fd = fd}
p:fill(s, 4 * PAGE, 8)
p:madvise(s, 4 * PAGE, "pageout")
_, _, runs = p:pagemap_scan(s, 4 * PAGE)
mm.observe("shmem_paged_out", runs)
mm.expect_eq(runs, "0-4:written", "empty PTEs")
