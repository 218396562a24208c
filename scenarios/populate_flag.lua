-- populate_flag: MAP_POPULATE faults the whole private anonymous mapping
-- in at mmap time (write-faulted: real, exclusive pages).
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local s0 = p:status()
local a = p:mmap{len = 32 * PAGE, flags = "private,anonymous,populate"}
local s1 = p:status()
local present, excl = 0, 0
for _, e in ipairs(p:pagemap(a, 32)) do
	if e.present then present = present + 1 end
	if e.exclusive then excl = excl + 1 end
end
mm.observe("present", present)
mm.observe("exclusive", excl)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.expect_eq(present, 32, "all pages mapped")
mm.expect_eq(excl, 32, "real pages, not the zero page")
mm.expect_eq(s1.RssAnon - s0.RssAnon, 128, "RssAnon")
mm.expect_eq(p:read(a, 8), string.rep("\0", 8), "zero-filled")
