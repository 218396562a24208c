-- guard_region: MADV_GUARD_INSTALL (6.13) turns pages into guard markers:
-- any access is SIGSEGV, the VMA stays one piece, pagemap reports the guard
-- bit (6.15); MADV_GUARD_REMOVE makes them ordinary empty pages again
-- (selftests/mm/guard-regions.c).
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 8 * PAGE}
p:fill(a, 8 * PAGE, 4)
p:madvise(a + 2 * PAGE, 2 * PAGE, "guard_install")
local ok, err = pcall(p.touch, p, a + 2 * PAGE, 1, "r")
mm.observe("read_guard", ok and "none" or err:match("SIG%u+"))
mm.expect(not ok and err:match("SIGSEGV"), "guard pages fault")
local e = p:pagemap(a + 2 * PAGE)
mm.observe("guard_bit", e.guard)
mm.observe("present", e.present)
mm.expect(e.guard and not e.present, "a guard marker")
mm.observe("one_vma_kb", p:smaps(a).Size)
mm.expect_eq(p:smaps(a).Size, 32, "no VMA split")
mm.expect_eq(p:verify(a, 2 * PAGE, 4), true, "neighbours intact")
p:madvise(a + 2 * PAGE, 2 * PAGE, "guard_remove")
mm.observe("after_remove", p:read(a + 2 * PAGE, 2) == "\0\0")
mm.expect_eq(p:read(a + 2 * PAGE, 2), "\0\0", "empty pages again")
