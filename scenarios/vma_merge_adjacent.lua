-- vma_merge_adjacent: two anonymous mappings with the same protection,
-- placed next to each other, are one VMA (vma_merge); a different
-- protection keeps them apart.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 4 * PAGE}
local b = p:mmap{len = 4 * PAGE, addr = a + 4 * PAGE, flags = "private,anonymous,fixed"}
mm.expect_eq(b, a + 4 * PAGE, "MAP_FIXED puts it there")
local sm = p:smaps(a)
mm.observe("merged_kb", sm.Size)
mm.observe("merged_same_vma", sm.start == p:smaps(b).start)
mm.expect_eq(sm.Size, 32, "one VMA of 8 pages")
local c = p:mmap{len = 4 * PAGE, addr = a - 4 * PAGE, prot = "r",
		 flags = "private,anonymous,fixed"}
mm.observe("ro_neighbour_kb", p:smaps(c).Size)
mm.observe("rw_vma_kb", p:smaps(a).Size)
mm.expect_eq(p:smaps(c).Size, 16, "read-only neighbour stays apart")
mm.expect_eq(p:smaps(a).Size, 32, "the rw VMA is unchanged")
-- making it rw lets it merge
p:mprotect(c, 4 * PAGE, "rw")
mm.observe("after_mprotect_kb", p:smaps(a).Size)
mm.expect_eq(p:smaps(a).Size, 48, "mprotect merged all three")
