-- vma_split_mprotect: mprotect of the middle of a VMA splits it in three;
-- restoring the protection merges them back into one.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 10 * PAGE}
p:touch(a, 10 * PAGE, "w")
p:mprotect(a + 4 * PAGE, 2 * PAGE, "r")
local lo, mid, hi = p:smaps(a), p:smaps(a + 4 * PAGE), p:smaps(a + 6 * PAGE)
mm.observe("low_kb", lo.Size)
mm.observe("mid_kb", mid.Size)
mm.observe("high_kb", hi.Size)
mm.observe("mid_flags", mid.VmFlags)
mm.observe("mid_rss_kb", mid.Rss)
mm.expect_eq(lo.Size, 16, "pages 0-3")
mm.expect_eq(mid.Size, 8, "pages 4-5")
mm.expect_eq(hi.Size, 16, "pages 6-9")
mm.expect_eq(mid.Rss, 8, "the split VMA keeps its pages")
mm.expect(not mid.VmFlags:match("wr"), "the middle is not writable")
p:mprotect(a + 4 * PAGE, 2 * PAGE, "rw")
mm.observe("merged_kb", p:smaps(a).Size)
mm.expect_eq(p:smaps(a).Size, 40, "merged back")
