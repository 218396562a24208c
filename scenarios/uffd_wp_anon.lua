-- uffd_wp_anon: a userfaultfd write-protected page reports uffd_wp in
-- pagemap; a write to it is delivered as a "wp" fault, which the default
-- handler resolves by un-protecting the page; reads are not faults.
mm.require("uffd_wp")
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 4 * PAGE}
p:touch(a, 4 * PAGE, "w")
p:uffd_register(a, 4 * PAGE, "wp")
p:uffd_wp(a, 2 * PAGE, true)
mm.observe("wp_bit", p:pagemap(a).uffd_wp)
mm.observe("wp_bit_unprotected", p:pagemap(a + 2 * PAGE).uffd_wp)
mm.expect(p:pagemap(a).uffd_wp, "protected")
mm.expect(not p:pagemap(a + 2 * PAGE).uffd_wp, "outside the protected range")
p:touch(a, 2 * PAGE, "r")
p:touch(a + PAGE, 1, "w")
p:write(a + 3 * PAGE, "x")
local ev = p:uffd_events()
mm.observe("events", #ev)
mm.expect_eq(#ev, 1, "one write fault on a protected page")
if ev[1] then
	mm.observe("event_kind", ev[1].kind)
	mm.observe("event_page", (ev[1].addr - a) // PAGE)
	mm.expect_eq(ev[1].kind, "wp", "a write-protect fault")
	mm.expect_eq(ev[1].addr, a + PAGE, "at the written page")
end
mm.observe("wp_bit_after", p:pagemap(a + PAGE).uffd_wp)
mm.expect(not p:pagemap(a + PAGE).uffd_wp, "the handler un-protected it")
mm.expect(p:pagemap(a).uffd_wp, "the other page stays protected")
-- touch stores ((a >> 12) & 0xff) | 1 at the start of each page
mm.expect_eq(p:read(a + PAGE, 1), string.char((((a + PAGE) >> 12) & 0xff) | 1),
	"the write completed")
