-- memfd_private_cow: a MAP_PRIVATE mapping of a memfd reads the file's
-- pages, and a write makes a private anonymous copy: the file and its
-- shared mappings keep the old data.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local fd = p:memfd("cow", 4 * PAGE)
local sh = p:mmap{len = 4 * PAGE, fd = fd, flags = "shared"}
p:fill(sh, 4 * PAGE, 5)
local pr = p:mmap{len = 4 * PAGE, fd = fd, flags = "private"}
-- the pattern depends on the address: compare the bytes instead
local same = p:read(pr, 4 * PAGE) == p:read(sh, 4 * PAGE)
mm.observe("private_reads_file", same)
mm.expect(same, "private mapping reads the file")
mm.observe("file_bit_before_write", p:pagemap(pr).file)
mm.expect(p:pagemap(pr).file, "maps the page cache page")
local s0 = p:status()
p:fill(pr, PAGE, 6)
mm.observe("file_bit_after_write", p:pagemap(pr).file)
mm.observe("rss_anon_delta_kb", p:status().RssAnon - s0.RssAnon)
mm.expect(not p:pagemap(pr).file, "now an anonymous copy")
mm.expect_eq(p:status().RssAnon - s0.RssAnon, 4, "one anonymous page")
mm.observe("file_unchanged", p:verify(sh, PAGE, 5) == true)
mm.expect_eq(p:verify(sh, PAGE, 5), true, "the file keeps its data")
mm.expect_eq(p:smaps(pr).Anonymous, 4, "smaps: one anonymous page in the VMA")
