-- shmem_thp_collapse_private: MADV_COLLAPSE of a memfd mapped twice: through
-- a private mapping that only read it, the THP is made in the page cache
-- and mapped there by a PMD (the shared mapping, retracted, maps nothing
-- until it refaults); a write to the private mapping splits that PMD and
-- copies a small anonymous page, after which MADV_COLLAPSE there fails
-- (EINVAL: the range holds an anonymous page); the shared mapping
-- collapses and maps it; a mapping the kernel placed is PMD-aligned.
mm.require("thp")
local PMD, P = mm.PMD_SIZE, mm.PAGE_SIZE
local p = mm.spawn()
local function aligned(fd, flags)
	local m = p:mmap{len = 2 * PMD}
	local a = (m + PMD - 1) & ~(PMD - 1)
	p:mmap{addr = a, len = PMD, fd = fd, flags = flags .. ",fixed"}
	return a
end
local fd = p:memfd("priv", PMD)
local s = aligned(fd, "shared")
p:fill(s, PMD, 4)
local a = aligned(fd, "private")
p:read(a, 1)
mm.observe("ro.rss", p:smaps(a).Rss)
mm.observe("ro.collapse", mm.errno(p.madvise, p, a, PMD, "collapse"))
mm.observe("ro.pmd", p:smaps(a).ShmemPmdMapped)
mm.observe("shared.pmd", p:smaps(s).ShmemPmdMapped)
mm.observe("shared.rss", p:smaps(s).Rss)
p:write(a + 3 * P, "q")
mm.observe("cow.pmd", p:smaps(a).ShmemPmdMapped)
mm.observe("cow.anon", p:smaps(a).Anonymous)
mm.observe("cow.rss", p:smaps(a).Rss)
mm.observe("again.collapse", mm.errno(p.madvise, p, a, PMD, "collapse"))
mm.observe("again.pmd", p:smaps(a).ShmemPmdMapped)
mm.observe("again.anon", p:smaps(a).Anonymous)
mm.observe("shared.collapse", mm.errno(p.madvise, p, s, PMD, "collapse"))
mm.observe("shared.pmd2", p:smaps(s).ShmemPmdMapped)
local u = p:mmap{len = 3 * PMD, fd = fd, flags = "shared"}
mm.observe("placed_by_kernel.collapse", mm.errno(p.madvise, p, u, PMD, "collapse"))
