-- shmem_thp_fault: when a fault gives a memfd a shmem THP, and what
-- happens to its PMD mapping.  shmem_enabled=always: a write fault on a
-- PMD-aligned 2 MiB mapping maps a new THP by a PMD; MADV_DONTNEED of one
-- page clears the whole PMD and the page cache keeps the THP (a read maps
-- it by a PMD again); a fork's child maps nothing of it until it touches
-- it; a half left after munmap cannot hold the PMD (a read maps the
-- fault-around window by PTEs); a second mapping under MADV_NOHUGEPAGE
-- maps the whole THP by PTEs at one read, a private one maps it by a
-- read-only PMD that a write splits.  shmem_enabled=advise needs MADV_HUGEPAGE,
-- within_size a file that covers the 2 MiB, never gives small pages.
mm.require("thp")
local PMD, P = mm.PMD_SIZE, mm.PAGE_SIZE
local K = "/sys/kernel/mm/transparent_hugepage/"
mm.set(K .. "hugepages-2048kB/shmem_enabled", "inherit")
local p = mm.spawn()

-- a memfd of @size bytes (or @fd) mapped at a PMD-aligned address
local function area(size, advice, fd, flags)
	local m = p:mmap{len = PMD + size}
	local a = (m + PMD - 1) & ~(PMD - 1)
	fd = fd or p:memfd("shmem-thp", size)
	p:mmap{addr = a, len = size, fd = fd, flags = (flags or "shared") .. ",fixed"}
	if a > m then p:munmap(m, a - m) end
	if m + PMD > a then p:munmap(a + size, m + PMD - a) end
	if advice then p:madvise(a, size, advice) end
	return a, fd
end
local function state(tag, proc, a)
	local s = proc:smaps(a)
	mm.observe(tag .. ".pmd_kb", s.ShmemPmdMapped)
	mm.observe(tag .. ".rss_kb", s.Rss)
	mm.observe(tag .. ".anon_kb", s.Anonymous)
end

mm.set(K .. "shmem_enabled", "always")
local a, fd = area(PMD)
p:write(a, "x")
state("always.write", p, a)
mm.expect_eq(p:smaps(a).ShmemPmdMapped, 2048, "a write fault maps a THP by a PMD")
p:madvise(a + P, P, "dontneed")
state("always.dontneed_one", p, a)
p:read(a, 1)
state("always.reread", p, a)
mm.observe("data_kept", p:read(a, 1))

-- the THP in the cache, mapped again: under MADV_NOHUGEPAGE by PTEs, the
-- whole folio at one read; privately by a read-only PMD, which a write
-- splits (the copy is a small anonymous page)
local j = area(PMD, "nohugepage", fd)
p:read(j + 7 * P, 1)
state("nohugepage.read", p, j)
local k = area(PMD, nil, fd, "private")
p:read(k, 1)
state("private.read", p, k)
p:write(k + 9 * P, "c")
state("private.write", p, k)
mm.observe("private.copy_seen", p:read(k + 9 * P, 1))
mm.observe("shared_unchanged", p:read(a + 9 * P, 1) ~= "c")
p:munmap(j, PMD)
p:munmap(k, PMD)

local c = p:fork()
state("child.untouched", c, a)
c:read(a + 5 * P, 1)
state("child.read", c, a)
c:exit()

p:munmap(a + PMD // 2, PMD // 2)
state("half.before", p, a)
p:read(a + 3 * P, 1)
state("half.read", p, a)

mm.set(K .. "shmem_enabled", "advise")
local d = area(PMD)
p:write(d, "y")
state("advise.plain", p, d)
local e = area(PMD, "hugepage")
p:write(e, "y")
state("advise.hugepage", p, e)

mm.set(K .. "shmem_enabled", "within_size")
local f = area(PMD // 2)
p:write(f, "z")
state("within_size.half_file", p, f)
local g = area(PMD)
p:write(g, "z")
state("within_size.whole_file", p, g)

mm.set(K .. "shmem_enabled", "always")
local h = area(PMD, "nohugepage")
p:write(h, "w")
state("always.nohugepage", p, h)

mm.set(K .. "shmem_enabled", "never")
local i = area(PMD, "hugepage")
p:write(i, "v")
state("never.hugepage", p, i)
