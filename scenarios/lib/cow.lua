-- lib/cow.lua: the copy-on-write cases (scenarios/selftests/cow).
--
-- C.anon(test, backing): private anonymous memory filled with 1s and
-- set up as backing says, then the test:
--   "cow_in_parent"           fork; the parent writes 0xff over the range;
--                             the child must still read the 1s
--   "cow_in_parent_mprotect"  the same, with mprotect(PROT_READ) and back
--                             in the parent before its write
-- Backings, as the selftest's: "base_page", "thp" (a PMD-mapped THP),
-- "pte_mapped_thp" (one page made read-only and back: PTE-mapped),
-- "single_pte_of_thp" (all but its first page zapped), "partial_mremap_thp"
-- (its upper half moved away), "partial_shared_thp" (only its first page
-- shared with a child that exited), each also "..._swap" where the
-- selftest swaps the range out first.
-- C.vmsplice(test, backing): the same backings, with the memory
-- vmspliced into a pipe (the pipe holds references on the pages; reading
-- it later returns the pages' content at that time):
--   "vmsplice_in_child"       fork; the child vmsplices and unmaps, the
--                             parent writes 0xff; the pipe must still
--                             read the 1s
--   "vmsplice_in_child_mprotect"  the same, with mprotect(PROT_READ) and
--                             back in the parent before its write
--   "vmsplice_before_fork" / "vmsplice_after_fork"  the parent vmsplices
--                             (before or after fork) and unmaps, the child
--                             writes 0xff and exits; the pipe must still
--                             read the 1s
-- C.iouring(test, backing): the memory registered as an io_uring fixed
-- buffer (a longterm read-write pin), then written with 0xff by the
-- process; IORING_OP_WRITE_FIXED writes the buffer into a memfd, which
-- must then hold what the process sees:
--   "iouring_ro"    before the write, mprotect(PROT_READ), soft-dirty
--                   cleared, mprotect back (the PTEs read-only)
--   "iouring_fork"  before the write, fork (the child lives on)
-- C.collapse(kind): the PMD THP cases of MADV_COLLAPSE around fork.
-- C.ro_pin(test, backing): a longterm read-only pin (CONFIG_GUP_TEST) on
-- the backing shared with a child, previously shared, or mapped read-only
-- while exclusive; the process's write must be visible through the pin.
-- C.non_anon(backing): a private mapping written while another mapping of
-- the same memory ("zeropage", "huge_zeropage", "memfd", "tmpfile") must
-- keep reading the old data.  C.non_anon_ro_pin(backing, fast): a
-- longterm read-only pin of such a private mapping must see the process's
-- later write.
local vma = mm.include("vma.lua")
local P, H = mm.PAGE_SIZE, mm.PMD_SIZE
local C = {}

local function thp_region(p)
	mm.require("thp")
	if mm.backend == "linux" then mm.require("root") end
	mm.set("/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled", "always")
	local m = p:mmap{len = 2 * H}
	local a = (m + H - 1) & ~(H - 1)
	p:madvise(a, H, "hugepage")
	p:write(a, "\1")
	local thp = p:pagemap(a + H - P).present
	mm.observe("thp_populated", thp)
	mm.expect(thp, "a THP was populated")
	p:write(a, string.rep("\1", H))
	return a
end

local function swap_out(p, a, size)
	p:madvise(a, size, "pageout")
	local n = vma.count(p, a, size // P, "swap")
	mm.observe("swapped_pages", n)
	mm.expect_eq(n, size // P, "the range was swapped out")
end

-- the memory of a backing: process, address, size the test works on
local function backing_mem(backing)
	local swap = backing:match("_swap$")
	local kind = backing:gsub("_swap$", "")
	if swap then
		mm.require("swap")
		mm.swapon(64 * mm.MB)
	end
	local p = mm.spawn()
	local a, size
	if kind == "base_page" then
		a, size = p:mmap{len = P}, P
		p:madvise(a, P, "nohugepage")
		p:write(a, string.rep("\1", P))
	else
		a, size = thp_region(p), H
		if kind == "pte_mapped_thp" or kind == "single_pte_of_thp" then
			p:mprotect(a + P, P, "r")
			p:mprotect(a + P, P, "rw")
		end
		if kind == "single_pte_of_thp" then
			p:madvise(a + P, H - P, "dontneed")
			size = P
		elseif kind == "partial_mremap_thp" then
			local dst = p:mmap{len = H // 2, prot = "none"}
			p:mremap(a + H // 2, H // 2, H // 2, "maymove,fixed", dst)
			size = H // 2
		elseif kind == "partial_shared_thp" then
			p:madvise(a + P, H - P, "dontfork")
			p:fork():exit()
			p:madvise(a + P, H - P, "dofork")
		end
	end
	if swap then swap_out(p, a, size) end
	return p, a, size
end

function C.anon(test, backing)
	local p, a, size = backing_mem(backing)
	local c = p:fork()
	local before = c:read(a, size)
	if test == "cow_in_parent_mprotect" then
		p:mprotect(a, size, "r")
		p:mprotect(a, size, "rw")
	end
	p:write(a, string.rep("\255", size))
	local child_kept = c:read(a, size) == before
	local parent_wrote = vma.holds(p, a, size, "\255")
	mm.observe("child_kept_old_data", child_kept)
	mm.observe("parent_has_new_data", parent_wrote)
	mm.expect(child_kept, "no leak from the parent into the child")
	mm.expect(parent_wrote, "the parent's write landed")
end

-- the pipe's content after the writer `w` wrote 0xff over the range: the
-- bytes moved, whether they are the old ones
local function vmsplice_kept(reader, r, n, old)
	local got = reader:read_fd(r, n)
	mm.observe("transferred", n)
	mm.observe("pipe_kept_old_data", got == old:sub(1, n))
	mm.expect(got == old:sub(1, n), "the pipe still reads the old data")
end

function C.vmsplice(test, backing)
	local p, a, size = backing_mem(backing)
	local old = p:read(a, size)
	local r, w, n
	if test == "vmsplice_in_child" or test == "vmsplice_in_child_mprotect" then
		local c = p:fork()
		r, w = c:pipe()
		n = c:vmsplice(w, a, size)
		c:munmap(a, size)
		if test == "vmsplice_in_child_mprotect" then
			p:mprotect(a, size, "r")
			p:mprotect(a, size, "rw")
		end
		p:write(a, string.rep("\255", size))
		vmsplice_kept(c, r, n, old)
		return
	end
	r, w = p:pipe()
	if test == "vmsplice_before_fork" then n = p:vmsplice(w, a, size) end
	local c = p:fork()
	if test == "vmsplice_after_fork" then n = p:vmsplice(w, a, size) end
	p:munmap(a, size)
	c:write(a, string.rep("\255", size))
	c:exit()
	vmsplice_kept(p, r, n, old)
end

function C.iouring(test, backing)
	local p, a, size = backing_mem(backing)
	local fd = p:memfd("iouring", size)
	local ring = p:io_uring()
	p:io_uring_register_buffers(ring, a, size)
	local c
	if test == "iouring_fork" then
		c = p:fork()
	else
		p:mprotect(a, size, "r")
		p:clear_refs(4)
		p:mprotect(a, size, "rw")
	end
	p:write(a, string.rep("\255", size))
	mm.observe("write_fixed_res", p:io_uring_write_fixed(ring, fd, a, size, 0))
	local reliable = p:pread(fd, 0, size) == p:read(a, size)
	mm.observe("pin_reliable", reliable)
	mm.expect(reliable, "the longterm R/W pin sees the process's write")
	if c then c:exit() end
	p:io_uring_unregister_buffers(ring)
end

-- kind: "unshared" (collapse before fork), "fully_shared" (collapse after
-- fork), "lower_shared" / "upper_shared" (only that half was shared)
function C.collapse(kind)
	local p = mm.spawn()
	local a = thp_region(p)
	p:mprotect(a + P, P, "r")		-- PTE-map it, to collapse later
	p:mprotect(a + P, P, "rw")
	local lo, half = a, H // 2
	if kind == "unshared" then
		mm.observe("collapse", vma.try(p.madvise, p, a, H, "collapse"))
	elseif kind == "lower_shared" then
		p:madvise(a + half, half, "dontfork")
	elseif kind == "upper_shared" then
		p:madvise(a, half, "dontfork")
		lo = a + half
	end
	local shared = (kind == "lower_shared" or kind == "upper_shared") and half or H
	local c = p:fork()
	local before = c:read(lo, shared)
	if kind ~= "unshared" then
		if kind ~= "fully_shared" then p:madvise(a, H, "dofork") end
		mm.observe("collapse", vma.try(p.madvise, p, a, H, "collapse"))
	end
	mm.observe("pmd_mapped", p:smaps(a).AnonHugePages)
	p:write(a, string.rep("\255", H))
	local kept = c:read(lo, shared) == before
	mm.observe("child_kept_old_data", kept)
	mm.expect(kept, "no leak from the parent into the child")
end

-- the memory of a non-anonymous backing: process, the private mapping,
-- the other mapping of the same memory, size
local function non_anon_mem(backing)
	local p = mm.spawn()
	local a, s, size
	if backing == "zeropage" then
		mm.require("zero_page")
		a, s, size = p:mmap{len = P}, p:mmap{len = P, prot = "r"}, P
	elseif backing == "huge_zeropage" then
		mm.require("thp")
		mm.require("huge_zero_page")
		local m1, m2 = p:mmap{len = 2 * H}, p:mmap{len = 2 * H, prot = "r"}
		a, s, size = (m1 + H - 1) & ~(H - 1), (m2 + H - 1) & ~(H - 1), H
		p:madvise(a, H, "hugepage")
		p:madvise(s, H, "hugepage")
	else
		-- memfd, or a tmpfile(): a regular file on disk
		local fd = backing == "tmpfile" and p:file() or p:memfd("cow")
		p:fallocate(fd, "", 0, P)
		a = p:mmap{len = P, fd = fd, flags = "private"}
		s = p:mmap{len = P, fd = fd, flags = "shared", prot = "r"}
		size = P
	end
	p:read(a, 1)			-- map what backs it: zero page or the file
	p:read(s, 1)
	return p, a, s, size
end

function C.non_anon(backing)
	local p, a, s, size = non_anon_mem(backing)
	local old = p:read(s, size)
	p:write(a, string.rep("\255", size))
	local kept = p:read(s, size) == old
	mm.observe("other_mapping_kept", kept)
	mm.expect(kept, "the write went to a private copy")
end

-- a longterm read-only pin of [a, a+size) through CONFIG_GUP_TEST ("fast":
-- GUP-fast), then the process writes 0xff: the pin must see the write
local function ro_pin_check(p, a, size, fast)
	local g = p:gup_test()
	p:pin_longterm_test_start(g, a, size, fast and "fast" or "")
	p:write(a, string.rep("\255", size))
	local reliable = p:pin_longterm_test_read(g, size) == p:read(a, size)
	mm.observe("pin_reliable", reliable)
	mm.expect(reliable, "the longterm R/O pin sees the process's write")
	p:pin_longterm_test_stop(g)
	p:close(g)
end

-- test: "ro_pin_on_shared" (the pages shared with a live child),
-- "ro_pin_on_ro_previously_shared" (the child exited: mapped read-only,
-- no longer shared), "ro_pin_on_ro_exclusive" (mprotect(PROT_READ),
-- soft-dirty cleared, mprotect back); "ro_fast_pin_on_..." the same
-- through GUP-fast
function C.ro_pin(test, backing)
	mm.require("gup_test")
	local p, a, size = backing_mem(backing)
	local kind = test:gsub("^ro_fast_pin_on_", ""):gsub("^ro_pin_on_", "")
	local c
	if kind == "shared" or kind == "ro_previously_shared" then
		c = p:fork()
		if kind == "ro_previously_shared" then
			c:exit()
			c = nil
		end
	else
		p:mprotect(a, size, "r")
		p:clear_refs(4)
		p:mprotect(a, size, "rw")
	end
	ro_pin_check(p, a, size, test:match("^ro_fast_pin") ~= nil)
	if c then c:exit() end
end

-- a longterm read-only pin (GUP-fast with fast) of a private mapping of
-- a non-anonymous backing, then the process writes through it
function C.non_anon_ro_pin(backing, fast)
	mm.require("gup_test")
	local p, a, _, size = non_anon_mem(backing)
	ro_pin_check(p, a, size, fast)
end

return C
