-- selftest pagemap_ioctl.c hpage_unit_tests: written-page tracking over ten THPs: all, none, the middle page, halves, and max_pages limits
mm.require("thp")
local H = mm.include("wp.inc")
local vma = mm.include("../../lib/vma.lua")
local p, P, check = H.p, H.P, mm.check
local PMD = mm.PMD_SIZE
local n = 10 * PMD
local NP = n // P
-- gethugepage: PMD-aligned, MADV_HUGEPAGE, written before it is registered
local function hugemem()
	local m = p:mmap{len = n + PMD}
	local a = (m + PMD - 1) & ~(PMD - 1)
	p:madvise(a, n, "hugepage")
	p:touch(a, n, "w")
	vma.thp_or_skip(p:smaps(a).AnonHugePages >= n // 1024, "fewer than ten THPs")
	H.init(a, n)
	H.reset(a, n)
	return a, m
end
local function done(a, m) p:munmap(m, n + PMD) end
local a, m = hugemem()
check("huge_after_setup_kb", p:smaps(a).AnonHugePages, n // 1024)
check("new_not_written", (H.written(a, n, {wp = true, vec_len = NP})), 0)
check("not_written", (H.written(a, n, {vec_len = NP})), 0)
p:touch(a, n, "w")
local nr, regs = H.written(a, n, {wp = true, vec_len = NP})
check("all_written.regions", nr, 1)
check("all_written.pages", regs[1] and regs[1].pages or 0, NP)
check("all_written.categories", regs[1] and regs[1].categories or "", "written")
done(a, m)
a, m = hugemem()
p:touch(a + NP // 2 * P, P, "w")
nr = H.written(a, n, {vec_len = NP})
check("middle_written", nr, 1)
done(a, m)
-- clear (write-protect) the first half after writing all
a, m = hugemem()
p:touch(a, n, "w")
H.reset(a, n // 2)
nr, regs = H.written(a, n, {vec_len = NP})
check("first_half_clear.pages", regs[1] and regs[1].pages or 0, NP // 2)
check("first_half_clear.start", regs[1] and (regs[1].start - a) // P or -1, NP // 2)
done(a, m)
-- the same through max_pages
a, m = hugemem()
p:touch(a, n, "w")
H.written(a, n, {wp = true, vec_len = NP, max_pages = NP // 2})
nr, regs = H.written(a, n, {vec_len = NP})
check("limited_clear.pages", regs[1] and regs[1].pages or 0, NP // 2)
check("limited_clear.start", regs[1] and (regs[1].start - a) // P or -1, NP // 2)
done(a, m)
-- clear the second half
a, m = hugemem()
p:touch(a, n, "w")
H.written(a + n // 2, n // 2, {wp = true, vec_len = NP, max_pages = NP // 2})
nr, regs = H.written(a, n, {vec_len = NP})
check("second_half_clear.pages", nr == 1 and regs[1].pages or 0, NP // 2)
done(a, m)
-- half a THP read and reset, then the rest
a, m = hugemem()
p:touch(a, n, "w")
nr, regs = H.written(a, n, {wp = true, vec_len = 1, max_pages = PMD // (2 * P)})
check("half_thp.pages", nr == 1 and regs[1].pages or 0, PMD // (2 * P))
nr, regs = H.written(a, n, {vec_len = NP})
check("half_thp.rest", nr == 1 and regs[1].pages or 0, (n - PMD // 2) // P)
done(a, m)
