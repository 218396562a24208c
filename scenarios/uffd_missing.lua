-- uffd_missing: with a "missing" registration, the first access to each
-- unpopulated page is a userfault; the default handler zero-fills it and
-- the access completes.  Populated pages fault no more.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 8 * PAGE}
p:touch(a, 2 * PAGE, "w")
p:uffd_register(a, 8 * PAGE, "missing")
p:touch(a, 4 * PAGE, "r")
local ev = p:uffd_events()
mm.observe("events", #ev)
mm.expect_eq(#ev, 2, "pages 2 and 3 were missing")
local pages = {}
for i, e in ipairs(ev) do
	pages[i] = (e.addr - a) // PAGE
	mm.expect_eq(e.kind, "missing", "missing faults")
end
mm.observe("pages", table.concat(pages, ","))
mm.expect_eq(table.concat(pages, ","), "2,3", "in order")
mm.observe("zero", p:read(a + 2 * PAGE, 4) == "\0\0\0\0")
mm.expect_eq(#p:uffd_events(), 0, "events are taken once")
