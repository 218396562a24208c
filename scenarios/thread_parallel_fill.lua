-- thread_parallel_fill: two threads of one process, on CPUs 0 and 1, fault
-- and fill disjoint halves of a mapping at the same time; every page ends
-- up mapped once, exclusive, with the right data.
local MB, PAGE = mm.MB, mm.PAGE_SIZE
local p = mm.spawn()
local t = p:thread(1)
local s0 = p:status()
local a = p:mmap{len = 8 * MB}
local r = mm.parallel{
	{p, "fill", a, 4 * MB, 1},
	{t, "fill", a + 4 * MB, 4 * MB, 2},
}
mm.expect(r[1] == true and r[2] == true, "both fills done")
local ok1 = p:verify(a, 4 * MB, 1) == true
local ok2 = t:verify(a + 4 * MB, 4 * MB, 2) == true
mm.observe("half1", ok1)
mm.observe("half2", ok2)
mm.observe("rss_anon_delta_kb", p:status().RssAnon - s0.RssAnon)
mm.expect(ok1 and ok2, "each half has its thread's data")
mm.expect_eq(p:status().RssAnon - s0.RssAnon, 8192, "2048 pages")
local excl = 0
for _, e in ipairs(p:pagemap(a, 2048)) do if e.exclusive then excl = excl + 1 end end
mm.observe("exclusive", excl)
mm.expect_eq(excl, 2048, "all exclusive")
-- repeated concurrent madvise + touch on the same range stays consistent
mm.parallel{
	{p, "madvise", a, 4 * MB, "dontneed", rep = 20},
	{t, "touch", a, 4 * MB, "w", rep = 20},
}
mm.expect_eq(p:verify(a + 4 * MB, 4 * MB, 2), true, "the other half untouched")
