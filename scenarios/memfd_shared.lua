-- memfd_shared: two MAP_SHARED mappings of one memfd share the page cache:
-- a write through one is read through the other, in the same process and
-- in a child that maps the fd it inherited.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local fd = p:memfd("scenario", 16 * PAGE)
local a = p:mmap{len = 16 * PAGE, fd = fd, flags = "shared"}
local b = p:mmap{len = 16 * PAGE, fd = fd, flags = "shared"}
mm.expect(a ~= b, "two mappings")
p:fill(a, 16 * PAGE, 42)
-- the pattern depends on the address: compare the bytes instead
local same = p:read(a, 16 * PAGE) == p:read(b, 16 * PAGE)
mm.observe("second_mapping_sees", same)
mm.expect(same, "the other mapping sees the data")
mm.observe("same_frame", p:pagemap(a).pfn == p:pagemap(b).pfn)
mm.expect(p:pagemap(a).pfn == p:pagemap(b).pfn, "one page cache page")
mm.observe("excl_two_mappings", p:pagemap(a).exclusive)
mm.expect(not p:pagemap(a).exclusive, "mapped twice: not exclusive")

local c = p:fork()
local m = c:mmap{len = 16 * PAGE, fd = fd, flags = "shared"}
c:write(m + 3 * PAGE, "child was here")
mm.observe("parent_sees_child", p:read(a + 3 * PAGE, 14))
mm.expect_eq(p:read(a + 3 * PAGE, 14), "child was here", "shared through the fd")
local sm = p:smaps(a)
mm.observe("smaps_rss_kb", sm.Rss)
mm.expect_eq(sm.Rss, 64, "all 16 pages mapped")
mm.expect_eq(sm.Anonymous, 0, "no anonymous pages")
