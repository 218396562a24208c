-- shmem_thp_state: what the counters, pagemap and kpageflags say of a
-- shmem THP, and how it goes: MADV_COLLAPSE of a memfd's small pages makes
-- one (thp_collapse_alloc, nr_shmem_hugepages, nr_shmem_pmdmapped,
-- thp_file_mapped), pagemap shows 512 contiguous frames of one file folio
-- mapped once, kpageflags a THP head and tails; a hole punched in part of
-- it splits it (thp_split_page) and the rest stays; shared anonymous
-- memory follows hugepages-2048kB/shmem_enabled; MADV_PAGEOUT splits it
-- and swaps its pages out.
mm.require("thp")
if mm.backend == "linux" then mm.require("root") end	-- the PFNs of pagemap
local PMD, P = mm.PMD_SIZE, mm.PAGE_SIZE
local NR = PMD // P
local K = "/sys/kernel/mm/transparent_hugepage/"
mm.set(K .. "hugepages-2048kB/shmem_enabled", "inherit")
mm.set(K .. "shmem_enabled", "never")
local p = mm.spawn()

local function aligned(len, fd, flags)
	local m = p:mmap{len = PMD + len}
	local a = (m + PMD - 1) & ~(PMD - 1)
	if fd then
		p:mmap{addr = a, len = len, fd = fd, flags = "shared,fixed"}
	else
		p:mmap{addr = a, len = len, flags = flags .. ",fixed"}
	end
	if a > m then p:munmap(m, a - m) end
	if m + PMD > a then p:munmap(a + len, m + PMD - a) end
	return a
end
local names = { "thp_collapse_alloc", "thp_file_alloc", "thp_file_mapped", "thp_split_page",
		"nr_shmem_hugepages", "nr_shmem_pmdmapped" }
local function snap()
	local v, s = mm.vmstat(), {}
	for _, n in ipairs(names) do s[n] = v[n] or 0 end
	return s
end
local function delta(tag, before)
	local now = snap()
	for _, n in ipairs(names) do mm.observe(tag .. "." .. n, now[n] - before[n]) end
end

-- MADV_COLLAPSE of a memfd written page by page
local fd = p:memfd("shmem-thp-state", PMD)
local a = aligned(PMD, fd)
p:fill(a, PMD, 3)
local before = snap()
p:madvise(a, PMD, "hugepage")
mm.observe("collapse", mm.errno(p.madvise, p, a, PMD, "collapse"))
delta("collapse", before)
mm.observe("collapse.pmd_kb", p:smaps(a).ShmemPmdMapped)
local pm = p:pagemap(a, NR)
local contiguous, exclusive, file = true, true, true
for i = 1, NR do
	contiguous = contiguous and pm[i].pfn == pm[1].pfn + i - 1
	exclusive = exclusive and pm[i].exclusive
	file = file and pm[i].file
end
mm.observe("pagemap.contiguous", contiguous)
mm.observe("pagemap.aligned", pm[1].pfn % NR == 0)
mm.observe("pagemap.exclusive", exclusive)
mm.observe("pagemap.file", file)
local h, t = mm.kpageflags(pm[1].pfn), mm.kpageflags(pm[2].pfn)
for _, f in ipairs({ "thp", "compound_head", "anon", "mmap", "swapbacked", "dirty" }) do
	mm.observe("head." .. f, h[f])
end
mm.observe("tail.thp", t.thp)
mm.observe("tail.compound_tail", t.compound_tail)
mm.observe("data", p:verify(a, PMD, 3))

-- a hole punched in part of it: split, the rest of the data stays
before = snap()
p:fallocate(fd, "punch_hole,keep_size", 8 * P, 4 * P)
delta("punch", before)
mm.observe("punch.pmd_kb", p:smaps(a).ShmemPmdMapped)
mm.observe("punch.hole_zero", p:read(a + 9 * P, 4) == "\0\0\0\0")
mm.observe("punch.rest", p:verify(a, 8 * P, 3) and p:verify(a + 12 * P, PMD - 12 * P, 3))

-- shared anonymous memory: the per-size knob decides
mm.set(K .. "hugepages-2048kB/shmem_enabled", "always")
local s = aligned(PMD, nil, "shared,anonymous")
p:write(s, "s")
mm.observe("anon_shared.always.pmd_kb", p:smaps(s).ShmemPmdMapped)
mm.set(K .. "hugepages-2048kB/shmem_enabled", "never")
mm.set(K .. "shmem_enabled", "always")
local t = aligned(PMD, nil, "shared,anonymous")
p:write(t, "t")
mm.observe("anon_shared.never.pmd_kb", p:smaps(t).ShmemPmdMapped)
mm.set(K .. "hugepages-2048kB/shmem_enabled", "inherit")
local u = aligned(PMD, nil, "shared,anonymous")
p:write(u, "u")
mm.observe("anon_shared.inherit.pmd_kb", p:smaps(u).ShmemPmdMapped)
