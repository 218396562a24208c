-- mprotect_errors: EINVAL for an unaligned start; ENOMEM when the range is
-- not all mapped.  Over a hole, mprotect changes what lies before the hole
-- and then fails (observed on 6.18): the VMA is split there.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()

local errno = mm.errno

local a = p:mmap{len = 8 * PAGE}
p:touch(a, 8 * PAGE, "w")
p:munmap(a + 4 * PAGE, PAGE)	-- hole at page 4
mm.observe("unaligned", errno(p.mprotect, p, a + 1, PAGE, "r"))
mm.observe("unmapped", errno(p.mprotect, p, a + 4 * PAGE, PAGE, "r"))
mm.observe("over_hole", errno(p.mprotect, p, a + 2 * PAGE, 4 * PAGE, "r"))
mm.expect_eq(errno(p.mprotect, p, a + 1, PAGE, "r"), "EINVAL", "unaligned")
mm.expect_eq(errno(p.mprotect, p, a + 4 * PAGE, PAGE, "r"), "ENOMEM", "unmapped")
mm.expect_eq(errno(p.mprotect, p, a + 2 * PAGE, 4 * PAGE, "r"), "ENOMEM", "over the hole")
-- pages 2-3 became read-only: their own VMA
local sm = p:smaps(a + 2 * PAGE)
mm.observe("split_vma_kb", sm.Size)
mm.observe("split_vma_flags", sm.VmFlags)
mm.expect_eq(sm.Size, 8, "pages 2-3 split off")
mm.expect_eq(p:smaps(a).Size, 8, "pages 0-1 keep rw")
local ok, err = pcall(p.touch, p, a + 2 * PAGE, 1, "w")
mm.observe("write_ro", ok and "ok" or err:match("SIG%u+"))
mm.expect(not ok and err:match("SIGSEGV"), "read-only now")
mm.expect_eq(p:smaps(a + 5 * PAGE).Size, 12, "after the hole: untouched")
