-- madvise_errors: EINVAL for an unaligned start; ENOMEM for an unmapped
-- range; a range with a hole is acted on before the hole and then fails
-- with ENOMEM (observed on 6.18: the pages before the hole are zapped).
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()

local errno = mm.errno

local a = p:mmap{len = 8 * PAGE}
p:fill(a, 8 * PAGE, 9)
p:munmap(a + 4 * PAGE, PAGE)
local r = {
	unaligned = errno(p.madvise, p, a + 1, PAGE, "dontneed"),
	unmapped = errno(p.madvise, p, a + 4 * PAGE, PAGE, "dontneed"),
	zero_len = errno(p.madvise, p, a, 0, "dontneed"),
	over_hole = errno(p.madvise, p, a + 2 * PAGE, 4 * PAGE, "dontneed"),
}
for k, v in pairs(r) do mm.observe(k, v) end
mm.expect_eq(r.unaligned, "EINVAL", "unaligned")
mm.expect_eq(r.unmapped, "ENOMEM", "unmapped")
mm.expect_eq(r.zero_len, "ok", "zero length is a no-op")
mm.expect_eq(r.over_hole, "ENOMEM", "over the hole")
local present = {}
for i, e in ipairs(p:pagemap(a, 4)) do present[i] = e.present end
mm.observe("page1_present", present[2])
mm.observe("page2_present", present[3])
mm.expect(present[2], "page 1 is before the range")
mm.expect(not present[3] and not present[4], "pages 2-3 were zapped before the hole")
mm.expect_eq(p:verify(a + 2 * PAGE, 8, 9), a + 2 * PAGE, "zapped pages read zero")
