-- uffd_event_fork: with UFFD_FEATURE_EVENT_FORK the parent's userfaultfd
-- reader gets a fork event carrying a new userfaultfd for the child: the
-- child's VMAs stay registered ("uw" in VmFlags), its PTEs keep their
-- uffd-wp bits, and its faults go to its own userfaultfd, not the
-- parent's.  Without the feature the child is not registered and loses the
-- bits (uffd_wp_anon.lua, tests/test_uffd.c; observed on 6.18).
mm.require("uffd_wp")
mm.require("root")		-- EVENT_FORK needs CAP_SYS_PTRACE
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
p:uffd_api("event_fork")
local a = p:mmap{len = 4 * PAGE}
p:touch(a, 4 * PAGE, "w")
p:uffd_register(a, 4 * PAGE, "wp")
p:uffd_wp(a, 2 * PAGE, true)
local c = p:fork()
local ev = p:uffd_events()
mm.observe("parent_events", #ev)
mm.expect_eq(#ev, 1, "one event for the fork")
if ev[1] then
	mm.observe("parent_event_kind", ev[1].kind)
	mm.expect_eq(ev[1].kind, "fork", "a fork event")
end
local flags = c:smaps(a).VmFlags
mm.observe("child_registered", flags:match("uw") ~= nil)
mm.expect(flags:match("uw"), "the child's VMA stays registered for wp")
mm.observe("child_wp_bit", c:pagemap(a).uffd_wp)
mm.observe("child_wp_bit_unprotected", c:pagemap(a + 2 * PAGE).uffd_wp)
mm.expect(c:pagemap(a).uffd_wp, "the child keeps the wp bit")
c:touch(a, PAGE, "w")
ev = c:uffd_events()
mm.observe("child_events", #ev)
mm.expect_eq(#ev, 1, "the child's write faults into its own userfaultfd")
if ev[1] then
	mm.observe("child_event", ev[1].kind .. " " .. (ev[1].addr - a) // PAGE)
	mm.expect_eq(ev[1].addr, a, "at the written page")
end
mm.observe("parent_events_after_child", #p:uffd_events())
mm.expect_eq(#p:uffd_events(), 0, "nothing for the parent")
mm.observe("parent_still_wp", p:pagemap(a).uffd_wp)
mm.expect(p:pagemap(a).uffd_wp, "the parent's page stays protected")
-- the child's userfaultfd has the parent's features: it forks on too
local g = c:fork()
ev = c:uffd_events()
mm.observe("child_fork_event", #ev == 1 and ev[1].kind or #ev)
mm.observe("grandchild_registered", g:smaps(a).VmFlags:match("uw") ~= nil)
mm.observe("grandchild_wp_bit", g:pagemap(a + PAGE).uffd_wp)
-- a fresh write into an unprotected page: no event anywhere
g:touch(a + 3 * PAGE, PAGE, "w")
mm.observe("grandchild_unprotected_events", #g:uffd_events())
