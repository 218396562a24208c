-- fault_anon_write: a private anonymous mapping has no pages until it is
-- touched; a write fault maps one exclusive anonymous page per page
-- touched and (first mapping of a fresh process) one new PTE table.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local s0 = p:status()
local a = p:mmap{len = 16 * PAGE}

local before = p:pagemap(a, 16)
local none = 0
for _, e in ipairs(before) do if not e.present and not e.swap then none = none + 1 end end
mm.observe("present_before", 16 - none)
mm.expect_eq(none, 16, "nothing is mapped before the first access")

p:touch(a, 8 * PAGE, "w")
local s1 = p:status()
local present, excl = 0, 0
for _, e in ipairs(p:pagemap(a, 16)) do
	if e.present then present = present + 1 end
	if e.exclusive then excl = excl + 1 end
end
mm.observe("present_after", present)
mm.observe("exclusive_after", excl)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("vmpte_delta_kb", s1.VmPTE - s0.VmPTE)
mm.expect_eq(present, 8, "one page per page written")
mm.expect_eq(excl, 8, "fresh anonymous pages are exclusive")
mm.expect_eq(s1.RssAnon - s0.RssAnon, 32, "RssAnon grows by the pages written")
mm.expect_eq(s1.VmPTE - s0.VmPTE, 4, "one PTE table")
mm.expect_eq(p:smaps(a).Rss, 32, "smaps Rss of the VMA")
mm.expect_eq(p:smaps(a).Anonymous, 32, "smaps Anonymous of the VMA")
