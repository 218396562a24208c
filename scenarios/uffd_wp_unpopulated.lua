-- uffd_wp_unpopulated: with UFFD_FEATURE_WP_UNPOPULATED (6.4), protecting
-- anonymous memory puts uffd-wp PTE markers on its empty PTEs (a page table
-- is allocated for them), so the first write to a never-touched page is a
-- wp fault, a read maps the page still protected, and MADV_DONTNEED leaves
-- empty PTEs behind (the markers go with the zap: no WP_UNPOPULATED
-- semantics for zapped anonymous memory).  Without the feature the same
-- write is no fault at all (uffd_wp_anon.lua; observed on 6.18).
mm.require("uffd_wp")
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
p:uffd_api("wp_unpopulated")
local m = p:mmap{len = 3 * mm.PMD_SIZE}
local a = (m + mm.PMD_SIZE - 1) & ~(mm.PMD_SIZE - 1)
p:madvise(a, mm.PMD_SIZE, "nohugepage")
p:uffd_register(a, 8 * PAGE, "wp")
local pte0 = p:status().VmPTE
p:uffd_wp(a, 8 * PAGE, true)
mm.observe("vmpte_delta_kb", p:status().VmPTE - pte0)
mm.expect_eq(p:status().VmPTE - pte0, 4, "a page table for the markers")
local e = p:pagemap(a)
mm.observe("marker_present", e.present)
mm.observe("marker_wp", e.uffd_wp)
mm.observe("marker_swap", e.swap)
mm.expect(e.uffd_wp and not e.present, "an empty PTE reads uffd-wp")
p:touch(a, PAGE, "w")
local ev = p:uffd_events()
mm.observe("write_events", #ev)
mm.expect_eq(#ev, 1, "the first write is a wp fault")
if ev[1] then
	mm.observe("write_event_kind", ev[1].kind)
	mm.expect_eq(ev[1].kind, "wp", "a wp fault")
end
p:touch(a + PAGE, PAGE, "r")
e = p:pagemap(a + PAGE)
mm.observe("read_present", e.present)
mm.observe("read_wp", e.uffd_wp)
mm.expect(e.present and e.uffd_wp, "a read maps the page protected")
mm.expect_eq(#p:uffd_events(), 0, "a read is no fault")
p:madvise(a + 2 * PAGE, 2 * PAGE, "dontneed")
mm.observe("dontneed_wp", p:pagemap(a + 2 * PAGE).uffd_wp)
p:touch(a + 2 * PAGE, PAGE, "w")
mm.observe("dontneed_write_events", #p:uffd_events())
-- outside the protected range nothing changed
mm.observe("outside_wp", p:pagemap(a + 8 * PAGE).uffd_wp)
mm.expect(not p:pagemap(a + 8 * PAGE).uffd_wp, "past the range")
-- a second UFFDIO_API on the same userfaultfd is refused
local ok, err = pcall(p.uffd_api, p, "")
mm.observe("api_twice", ok and "ok" or err:match("^E%u+"))
mm.expect(not ok and err:match("^EINVAL"), "UFFDIO_API once")
