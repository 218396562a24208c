-- uffd_wp_anon_dontneed: on anonymous memory userfaultfd write-protection
-- lives in the PTE only; MADV_DONTNEED zaps it with the page ("zap on
-- anonymous always means dropping everything", zap_install_uffd_wp_if_needed),
-- and a plain userfaultfd (no WP_UNPOPULATED) does not protect empty PTEs:
-- the next write is an ordinary fault, no event.  Observed on 6.18.
mm.require("uffd_wp")
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 4 * PAGE}
p:touch(a, 4 * PAGE, "w")
p:uffd_register(a, 4 * PAGE, "wp")
p:uffd_wp(a, 4 * PAGE, true)
mm.expect(p:pagemap(a).uffd_wp, "protected")
p:madvise(a, 2 * PAGE, "dontneed")
local e = p:pagemap(a)
mm.observe("zapped_raw", string.format("0x%x", e.raw))
mm.expect_eq(e.raw, 0, "no marker for anonymous memory")
p:write(a, "x")
mm.observe("zapped_write_events", #p:uffd_events())
p:write(a + 2 * PAGE, "y")
local ev = p:uffd_events()
mm.observe("kept_write_events", #ev)
mm.expect_eq(#ev, 1, "only the page not zapped is still protected")
mm.observe("wp_after_write", p:pagemap(a).uffd_wp)
mm.expect(not p:pagemap(a).uffd_wp, "the new page is not protected")
-- empty PTEs are not protected either
p:madvise(a + 3 * PAGE, PAGE, "dontneed")
p:uffd_wp(a + 3 * PAGE, PAGE, true)
mm.observe("empty_wp_raw", string.format("0x%x", p:pagemap(a + 3 * PAGE).raw))
p:write(a + 3 * PAGE, "z")
mm.observe("empty_write_events", #p:uffd_events())
mm.expect_eq(p:read(a, 1) .. p:read(a + 2 * PAGE, 1) .. p:read(a + 3 * PAGE, 1), "xyz",
	"the writes completed")
