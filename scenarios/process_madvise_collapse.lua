-- process_madvise_collapse: MADV_COLLAPSE of another process's range
-- through a pidfd (allowed remotely since 6.1): the target's 512 small
-- pages become one PMD-mapped THP (smaps AnonHugePages) with their data;
-- the caller's range is untouched.  A range in a VMA too small for a THP is
-- EINVAL.  Needs THP.  mm/khugepaged.c (madvise_collapse); observed on 6.18.
mm.require("thp")
local P, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
p:munmap(m, 2 * PMD)
local a = (m + PMD - 1) & ~(PMD - 1)
p:mmap{addr = a, len = PMD, flags = "private,anonymous,fixed"}
local c = p:fork()
c:fill(a, PMD, 4)			-- 512 small pages (THP only on madvise)
mm.observe("before_anon_huge_kb", c:smaps(a).AnonHugePages)
-- EAGAIN is transient (a page briefly off the LRU): the caller tries again
local ok, n
for _ = 1, 10 do
	ok, n = pcall(p.process_madvise, p, c, a, PMD, "collapse")
	if ok or not n:match("^EAGAIN") then break end
end
n = ok and n or n:match("^%u+")
mm.observe("collapse_bytes", n)
mm.observe("target_anon_huge_kb", c:smaps(a).AnonHugePages)
mm.observe("target_data", c:verify(a, PMD, 4) == true)
mm.observe("caller_anon_huge_kb", p:smaps(a).AnonHugePages)
mm.expect_eq(n, PMD, "collapsed")
mm.expect_eq(c:smaps(a).AnonHugePages, 2048, "a THP in the target")
mm.expect_eq(c:verify(a, PMD, 4), true, "with its data")
mm.expect_eq(p:smaps(a).AnonHugePages, 0, "none in the caller")
local small = p:mmap{len = 16 * P}
local d = p:fork()
d:fill(small, 16 * P, 1)
local ok, err = pcall(p.process_madvise, p, d, small, 16 * P, "collapse")
mm.observe("small_vma", ok and "ok" or err:match("^%u+"))
mm.expect(not ok and err:match("^EINVAL"), "no THP fits the VMA")
