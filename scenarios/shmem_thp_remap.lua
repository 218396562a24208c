-- shmem_thp_remap: a PMD-mapped shmem THP under mremap, mprotect and mlock:
-- moved to a PMD-aligned address it stays PMD-mapped; to an unaligned one
-- its PMD is cleared and a read maps the fault-around window by PTEs;
-- mprotect of one page splits the VMA and clears the PMD; mlock keeps the
-- PMD, and so does mprotect of the whole range.
mm.require("thp")
local PMD, P = mm.PMD_SIZE, mm.PAGE_SIZE
local K = "/sys/kernel/mm/transparent_hugepage/"
mm.set(K .. "shmem_enabled", "always")
local p = mm.spawn()
local function aligned(fd, len)
	local m = p:mmap{len = PMD + len}
	local a = (m + PMD - 1) & ~(PMD - 1)
	p:mmap{addr = a, len = len, fd = fd, flags = "shared,fixed"}
	return a
end
local fd = p:memfd("misc", PMD)
local a = aligned(fd, PMD)
p:fill(a, PMD, 6)
mm.observe("start.pmd", p:smaps(a).ShmemPmdMapped)
local r = p:mmap{len = 3 * PMD}
local dst = (r + PMD - 1) & ~(PMD - 1)
local b = p:mremap(a, PMD, PMD, "maymove,fixed", dst)
mm.observe("mremap_aligned.pmd", p:smaps(b).ShmemPmdMapped)
mm.observe("mremap_aligned.rss", p:smaps(b).Rss)
local c = p:mremap(b, PMD, PMD, "maymove,fixed", dst + PMD + 4 * P)
mm.observe("mremap_unaligned.pmd", p:smaps(c).ShmemPmdMapped)
mm.observe("mremap_unaligned.rss", p:smaps(c).Rss)
p:read(c, 1)
mm.observe("mremap_unaligned.read.rss", p:smaps(c).Rss)
local d = aligned(fd, PMD)
p:read(d, 1)
mm.observe("again.pmd", p:smaps(d).ShmemPmdMapped)
p:mprotect(d + 16 * P, P, "r")
mm.observe("mprotect_part.pmd", p:smaps(d).ShmemPmdMapped)
mm.observe("mprotect_part.rss", p:smaps(d).Rss + p:smaps(d + 16 * P).Rss + p:smaps(d + 17 * P).Rss)
local e = aligned(fd, PMD)
p:read(e, 1)
p:mlock(e, PMD)
local s = p:smaps(e)
mm.observe("mlock.pmd", s.ShmemPmdMapped)
mm.observe("mlock.locked", s.Locked)
p:mprotect(e, PMD, "r")
s = p:smaps(e)
mm.observe("mprotect_whole.pmd", s.ShmemPmdMapped)
