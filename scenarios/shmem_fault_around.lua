-- shmem_fault_around: a read fault on a shmem/memfd mapping maps, besides
-- the faulting page, the pages of a fault_around_bytes window (64 KiB, 16
-- pages, aligned in virtual address and clipped to the VMA) that are
-- already in the page cache (do_read_fault -> do_fault_around ->
-- filemap_map_pages).  Holes stay unmapped, a write fault never faults
-- around, and a VMA registered for uffd-wp does not either.
mm.require("uffd_wp_shmem")
local PAGE = mm.PAGE_SIZE
local N = 64
local p = mm.spawn()
local fd = p:memfd("fa", N * PAGE)
local w = p:mmap{len = N * PAGE, fd = fd, flags = "shared"}
p:fill(w, N * PAGE, 7)

-- the PTEs a read of page @i of a @n-page VMA at @base maps, as the
-- kernel's from_pte/to_pte (the window never crosses a PTE table here)
local function window(base, n, i)
	local vpn = base // PAGE + i
	local from = math.max(vpn - vpn % 16, base // PAGE)
	local to = math.min(from + 16, base // PAGE + n) - 1
	return from - base // PAGE, to - base // PAGE
end
local function present(a, n)
	local s = {}
	for k, e in ipairs(p:pagemap(a, n)) do
		if e.present then s[#s + 1] = k - 1 end
	end
	return s
end
local function expect_window(a, n, i, what)
	local from, to = window(a, n, i)
	local got = present(a, n)
	mm.expect_eq(#got, to - from + 1, what .. ": the whole window")
	mm.expect_eq(got[1], from, what .. ": from the window's start")
	mm.expect_eq(got[#got], to, what .. ": to its end")
end

-- shared: 16 pages mapped, accounted as shmem RSS
local r = p:mmap{len = N * PAGE, fd = fd, flags = "shared"}
p:read(r + 20 * PAGE, 1)
mm.observe("sh_read_rss", p:smaps(r).Rss)
mm.expect_eq(p:smaps(r).Rss, 64, "16 pages around the read")
expect_window(r, N, 20, "shared read")
mm.observe("sh_read_file", p:pagemap(r + 20 * PAGE).file)
mm.expect_eq(p:pagemap(r + 20 * PAGE).pfn, p:pagemap(w + 20 * PAGE).pfn,
	     "the page cache page")

-- private: the file pages are mapped (not copied) until written
local q = p:mmap{len = N * PAGE, fd = fd, flags = "private"}
p:read(q + 3 * PAGE, 1)
mm.observe("pr_read_rss", p:smaps(q).Rss)
mm.expect_eq(p:smaps(q).Rss, 64, "16 pages around the private read")
expect_window(q, N, 3, "private read")
mm.expect_eq(p:smaps(q).Anonymous, 0, "no copies for a read")
p:write(q + 3 * PAGE, "x")
mm.observe("pr_cow_anon", p:smaps(q).Anonymous)
mm.expect_eq(p:smaps(q).Anonymous, 4, "a write copies only its page")

-- a write fault does not fault around
local u = p:mmap{len = N * PAGE, fd = fd, flags = "shared"}
p:write(u + 20 * PAGE, "x")
mm.observe("sh_write_rss", p:smaps(u).Rss)
mm.expect_eq(p:smaps(u).Rss, 4, "a write maps its page only")

-- holes: only pages in the cache are mapped
local fd2 = p:memfd("holes", 16 * PAGE)
local h = p:mmap{len = 16 * PAGE, fd = fd2, flags = "shared"}
p:touch(h, PAGE, "w"); p:touch(h + 2 * PAGE, PAGE, "w"); p:touch(h + 9 * PAGE, PAGE, "w")
local h2 = p:mmap{len = 16 * PAGE, fd = fd2, flags = "shared"}
p:read(h2 + 2 * PAGE, 1)
local from, to = window(h2, 16, 2)
local want = {}
for _, i in ipairs({0, 2, 9}) do
	if i >= from and i <= to then want[#want + 1] = i end
end
local got = present(h2, 16)
mm.observe("holes_mapped", table.concat(got, ","))
mm.expect_eq(table.concat(got, ","), table.concat(want, ","), "cached pages of the window only")
mm.expect_eq(p:status().RssShmem > 0, true, "shmem RSS")

-- uffd-wp registration disables fault-around (uffd_disable_fault_around)
local x = p:mmap{len = N * PAGE, fd = fd, flags = "shared"}
p:uffd_register(x, N * PAGE, "wp")
p:read(x + 20 * PAGE, 1)
mm.observe("uffd_wp_rss", p:smaps(x).Rss)
mm.expect_eq(p:smaps(x).Rss, 4, "one page under uffd-wp")

-- shared anonymous: the child's read maps what the parent's writes cached
local sa = p:mmap{len = N * PAGE, flags = "shared,anonymous"}
p:fill(sa, N * PAGE, 1)
local c = p:fork()
c:read(sa + 5 * PAGE, 1)
mm.observe("sa_child_rss", c:smaps(sa).Rss)
mm.expect_eq(c:smaps(sa).Rss, 64, "fault-around in shared anonymous memory")
mm.expect(c:verify(sa, N * PAGE, 1), "the child reads the parent's data")
c:exit()

-- the knob: 4096 turns it off (on the model only: debugfs needs root)
if mm.backend == "model" then
	mm.set("/sys/kernel/debug/fault_around_bytes", 20000)
	mm.expect_eq(tonumber(mm.get("/sys/kernel/debug/fault_around_bytes")), 16384,
		     "rounded down to a power of two")
	mm.set("/sys/kernel/debug/fault_around_bytes", 4096)
	local o = p:mmap{len = N * PAGE, fd = fd, flags = "shared"}
	p:read(o + 20 * PAGE, 1)
	mm.expect_eq(p:smaps(o).Rss, 4, "fault_around_bytes=4096: no fault-around")
end
