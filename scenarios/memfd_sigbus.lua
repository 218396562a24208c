-- memfd_sigbus: a shared mapping longer than its memfd: pages past the end
-- of the file raise SIGBUS, pages inside work.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local fd = p:memfd("short", 2 * PAGE)
local a = p:mmap{len = 4 * PAGE, fd = fd, flags = "shared"}
p:touch(a, 2 * PAGE, "w")
local ok, err = pcall(p.touch, p, a + 2 * PAGE, 1, "r")
local s = ok and "none" or err:match("SIG%u+")
mm.observe("past_eof", s)
mm.expect_eq(s, "SIGBUS", "beyond the end of the file")
ok, err = pcall(p.write, p, a + 3 * PAGE, "x")
mm.observe("write_past_eof", ok and "none" or err:match("SIG%u+"))
mm.expect(not ok and err:match("SIGBUS"), "writes too")
mm.observe("inside_ok", p:read(a + PAGE, 1) == "\1" or p:read(a + PAGE, 1) ~= nil)
mm.expect_eq(p:smaps(a).Rss, 8, "two pages mapped")
