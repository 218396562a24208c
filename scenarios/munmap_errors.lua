-- munmap_errors: munmap(2) refuses an unaligned address or a zero length
-- (EINVAL), and unmapping a range with nothing mapped succeeds.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 4 * PAGE}

local errno = mm.errno

local r = {
	unaligned = errno(p.munmap, p, a + 1, PAGE),
	zero_len = errno(p.munmap, p, a, 0),
	nothing_mapped = errno(p.munmap, p, 0x40000000, PAGE),
	unaligned_len = errno(p.munmap, p, a + 3 * PAGE, 100),
}
for k, v in pairs(r) do mm.observe(k, v) end
mm.expect_eq(r.unaligned, "EINVAL", "unaligned address")
mm.expect_eq(r.zero_len, "EINVAL", "zero length")
mm.expect_eq(r.nothing_mapped, "ok", "an empty range is fine")
mm.expect_eq(r.unaligned_len, "ok", "the length is rounded up")
mm.observe("last_page_gone", p:smaps(a + 3 * PAGE) == nil)
mm.expect(p:smaps(a + 3 * PAGE) == nil, "the rounded-up page is unmapped")
mm.expect_eq(p:smaps(a).Size, 12, "the rest stays")
