-- lib/guard.lua: the guard-region cases (scenarios/selftests/guard-regions),
-- each a function of the backing: "anon" (private anonymous), "shmem"
-- (a shared mapping of a 100-page memfd) or "file" (a shared mapping of a
-- 100-page regular file on a disk filesystem).  A case observes the state of
-- its pages as a string, one letter a page: "g" a guard (the access is
-- SIGSEGV), "." accessible, and expects what the kernel does.
local vma = mm.include("vma.lua")
local P = mm.PAGE_SIZE
local G = {}

-- a process and its mapper for the backing
local function setup(backing, fdflags)
	local p = mm.spawn()
	local fd
	if backing == "shmem" then fd = p:memfd("guard", 100 * P, fdflags) end
	if backing == "file" then fd = p:file(100 * P) end
	local function map(n, prot, addr, extra, offset)
		local flags = (fd and "shared" or "private,anonymous") ..
			(extra and "," .. extra or "")
		return p:mmap{len = n * P, prot = prot or "rw", addr = addr, flags = flags,
			fd = fd, offset = fd and (offset or 0) or 0}
	end
	return p, map, fd
end

local function try(p, a, write)
	if write then return vma.try(p.write, p, a, "x") == "ok" end
	return vma.try(p.read, p, a, 1) == "ok"
end

-- "g" or "." per page of [a, a + n pages): reads (and writes unless
-- read_only) all succeed
local function state(p, a, n, read_only)
	local s = {}
	for i = 0, n - 1 do
		local ok = try(p, a + i * P, false) and (read_only or try(p, a + i * P, true))
		s[#s + 1] = ok and "." or "g"
	end
	return table.concat(s)
end

local function check(name, got, want)
	mm.observe(name, got)
	mm.expect_eq(got, want, name)
end

local function guard(p, a, n) return vma.try(p.madvise, p, a, n * P, "guard_install") end
local function unguard(p, a, n) return vma.try(p.madvise, p, a, n * P, "guard_remove") end

-- page i of n holds the letter 'a' + i % 26 throughout
local function set_pattern(p, a, n, first)
	for i = 0, n - 1 do
		p:write(a + i * P, string.rep(string.char(97 + ((first or 0) + i) % 26), P))
	end
end

local function pattern_ok(p, a, n, first)
	for i = 0, n - 1 do
		local c = string.char(97 + ((first or 0) + i) % 26)
		if p:read(a + i * P, P) ~= string.rep(c, P) then return false end
	end
	return true
end

local function every_other(p, a, n)
	for i = 0, n - 1, 2 do guard(p, a + i * P, 1) end
end

function G.basic(backing)
	local p, map = setup(backing)
	local a = map(10)
	check("first_page_usable", state(p, a, 1), ".")
	guard(p, a, 1)
	check("first_guarded", state(p, a, 10), "g.........")
	guard(p, a + 9 * P, 1)
	check("both_ends_guarded", state(p, a, 10), "g........g")
	unguard(p, a, 1)
	check("first_removed", state(p, a, 1), ".")
	unguard(p, a + 9 * P, 1)
	check("last_removed", state(p, a + 9 * P, 1), ".")
	guard(p, a, 3)			-- over populated pages too
	check("first_three", state(p, a, 10), "ggg.......")
	unguard(p, a, 10)
	check("all_removed", state(p, a, 10), "..........")
	unguard(p, a, 10)		-- removing again keeps the data
	local kept = true
	for i = 0, 9 do kept = kept and p:read(a + i * P, 1) == "x" end
	check("data_kept", kept, true)
end

function G.multi_vma(backing)
	local p, map = setup(backing)
	local r = map(100, "none")
	map(10, "rw", r, "fixed")
	map(5, "rw", r + 50 * P, "fixed", 50 * P)
	map(20, "rw", r + 80 * P, "fixed", 80 * P)
	p:munmap(r + 10 * P, 40 * P)
	p:munmap(r + 55 * P, 25 * P)
	check("install_over_gaps", guard(p, r, 100), "ENOMEM")
	check("vmas_guarded", state(p, r, 10) .. state(p, r + 50 * P, 5) ..
		state(p, r + 80 * P, 20), string.rep("g", 35))
	check("remove_over_gaps", unguard(p, r, 100), "ENOMEM")
	check("vmas_unguarded", state(p, r, 10) .. state(p, r + 50 * P, 5) ..
		state(p, r + 80 * P, 20), string.rep(".", 35))
	map(40, "rwx", r + 10 * P, "fixed", 10 * P)
	map(25, "rwx", r + 55 * P, "fixed", 55 * P)
	check("install_adjacent", guard(p, r, 100), "ok")
	check("all_guarded", state(p, r, 100), string.rep("g", 100))
	check("remove_adjacent", unguard(p, r, 100), "ok")
	check("all_unguarded", state(p, r, 100), string.rep(".", 100))
end

function G.process_madvise(backing)
	local p, map = setup(backing)
	local r = map(100, "none")
	local a1 = map(10, "rw", r + P, "fixed,populate", P)
	local a2 = map(5, "rw", r + 50 * P, "fixed", 50 * P)
	local a3 = map(20, "rw", r + 79 * P, "fixed", 79 * P)
	p:munmap(r, P)
	p:munmap(r + 11 * P, 39 * P)
	p:munmap(r + 55 * P, 24 * P)
	p:munmap(r + 99 * P, P)
	local vec = {{a1, P}, {a1 + 9 * P, P}, {a2, P}, {a2 + 4 * P, P}, {a3, P}, {a3 + 19 * P, P}}
	local ends = function()
		return state(p, a1, 1) .. state(p, a1 + 9 * P, 1) .. state(p, a2, 1) ..
			state(p, a2 + 4 * P, 1) .. state(p, a3, 1) .. state(p, a3 + 19 * P, 1)
	end
	check("bytes_installed", p:process_madvise(p, vec, "guard_install"), 6 * P)
	check("ends_guarded", ends(), "gggggg")
	p:process_madvise(p, vec, "guard_remove")
	check("ends_unguarded", ends(), "......")
end

function G.munmap(backing)
	local p, map = setup(backing)
	local a = map(10)
	guard(p, a, 1)
	guard(p, a + 9 * P, 1)
	check("guarded", state(p, a, 1) .. state(p, a + 9 * P, 1), "gg")
	p:munmap(a, P)
	p:munmap(a + 9 * P, P)
	map(1, "rw", a, "fixed")
	map(1, "rw", a + 9 * P, "fixed", 9 * P)
	check("mapped_again", state(p, a, 1) .. state(p, a + 9 * P, 1), "..")
end

function G.mprotect(backing)
	local p, map = setup(backing)
	local a = map(10)
	guard(p, a + 5 * P, 2)
	check("guarded", state(p, a + 5 * P, 2), "gg")
	p:mprotect(a + 5 * P, 2 * P, "r")
	check("read_only", state(p, a + 5 * P, 2, true), "gg")
	check("guard_again", guard(p, a + 5 * P, 2), "ok")
	check("still_guarded", state(p, a + 5 * P, 2, true), "gg")
	unguard(p, a, 10)
	check("readable", state(p, a, 10, true), "..........")
end

function G.split_merge(backing)
	local p, map = setup(backing)
	local a = map(10)
	guard(p, a, 10)
	p:munmap(a + 2 * P, P)
	p:munmap(a + 5 * P, P)
	p:munmap(a + 8 * P, P)
	check("after_split", state(p, a, 2) .. state(p, a + 3 * P, 2) ..
		state(p, a + 6 * P, 2) .. state(p, a + 9 * P, 1), "ggggggg")
	for _, i in ipairs{2, 5, 8} do map(1, "rw", a + i * P, "fixed", i * P) end
	check("holes_mapped_again", state(p, a, 10), "gg.gg.gg.g")
	guard(p, a, 10)
	p:mprotect(a, 3 * P, "r")
	p:mprotect(a + 7 * P, 3 * P, "r")
	check("split_in_three", state(p, a, 10, true), string.rep("g", 10))
	p:mprotect(a, 3 * P, "rw")
	p:mprotect(a + 7 * P, 3 * P, "rw")
	check("merged", state(p, a, 10), string.rep("g", 10))
	p:mprotect(a, 3 * P, "r")
	p:mprotect(a + 7 * P, 3 * P, "r")
	unguard(p, a, 10)
	check("removed_over_three", state(p, a, 10, true), string.rep(".", 10))
	p:mprotect(a, 3 * P, "rw")
	p:mprotect(a + 7 * P, 3 * P, "rw")
	check("merged_usable", state(p, a, 10), string.rep(".", 10))
end

function G.dontneed(backing)
	local p, map = setup(backing)
	local a = map(10)
	for i = 0, 9 do p:write(a + i * P, "y") end
	every_other(p, a, 10)
	p:madvise(a, 10 * P, "dontneed")
	check("after_dontneed", state(p, a, 10, true), "g.g.g.g.g.")
	local want = backing == "anon" and "\0" or "y"	-- anon: zero; else the file
	local ok = true
	for i = 1, 9, 2 do ok = ok and p:read(a + i * P, 1) == want end
	check("odd_pages_content", ok, true)
	check("writes", state(p, a, 10), "g.g.g.g.g.")
end

function G.mlock(backing)
	local p, map = setup(backing)
	local a = map(10)
	for i = 0, 9 do p:write(a + i * P, "y") end
	p:mlock(a, 10 * P)
	check("install_on_locked", guard(p, a, 10), "EINVAL")
	p:munlock(a, 10 * P)
	check("install_unlocked", guard(p, a, 5), "ok")
	check("first_half", state(p, a, 10), "ggggg.....")
	p:mlock(a + 5 * P, 5 * P)
	check("remove_with_locked", unguard(p, a, 10), "ok")
	check("all_usable", state(p, a, 10), "..........")
end

function G.mremap_move(backing)
	local p, map = setup(backing)
	local a = map(5)
	guard(p, a, 1)
	guard(p, a + 4 * P, 1)
	local dst = map(5, "none")
	local r = p:mremap(a, 5 * P, 5 * P, "maymove,fixed", dst)
	check("moved_to_dst", r == dst, true)
	check("ends_kept", state(p, dst, 1) .. state(p, dst + 4 * P, 1), "gg")
end

function G.mremap_expand(backing)
	local p, map = setup(backing)
	local a = map(10)
	p:munmap(a + 5 * P, 5 * P)
	guard(p, a, 1)
	guard(p, a + 4 * P, 1)
	a = p:mremap(a, 5 * P, 10 * P)
	check("expanded", state(p, a, 1) .. state(p, a + 4 * P, 1), "gg")
	local dst = map(20, "none")
	a = p:mremap(a, 10 * P, 20 * P, "maymove,fixed", dst)
	check("moved_and_expanded", state(p, a, 1) .. state(p, a + 4 * P, 1), "gg")
end

function G.mremap_shrink(backing)
	local p, map = setup(backing)
	local a = map(5)
	guard(p, a, 1)
	guard(p, a + 4 * P, 1)
	a = p:mremap(a, 5 * P, 3 * P, "maymove")
	check("shrunk", state(p, a, 3), "g..")
	a = p:mremap(a, 3 * P, 5 * P)
	check("grown_back", state(p, a, 5), "g....")
end

function G.fork(backing)
	local p, map = setup(backing)
	local a = map(10)
	guard(p, a, 5)
	local c = p:fork()
	check("child", state(c, a, 10), "ggggg.....")
	unguard(c, a, 10)
	c:exit()
	check("parent_after_child_removed", state(p, a, 10), "ggggg.....")
end

function G.fork_cow()
	local p, map = setup("anon")
	local a = map(10)
	set_pattern(p, a, 10)
	local c = p:fork()
	check("child_sees_data", pattern_ok(c, a, 10), true)
	guard(c, a, 10)
	unguard(c, a, 10)
	check("child_zero_after", vma.holds(c, a, 10 * P, "\0"), true)
	c:exit()
	check("parent_data_intact", pattern_ok(p, a, 10), true)
end

function G.fork_wipeonfork()
	local p, map = setup("anon")
	local a = map(10)
	p:madvise(a, 10 * P, "wipeonfork")
	guard(p, a, 5)
	local c = p:fork()
	check("child_wiped", state(c, a, 10), "..........")
	c:exit()
	check("parent_guarded", state(p, a, 10), "ggggg.....")
end

function G.lazyfree()
	local p, map = setup("anon")
	local a = map(10)
	guard(p, a, 10)
	p:madvise(a, 10 * P, "free")
	check("after_free", state(p, a, 10), string.rep("g", 10))
end

function G.populate(backing)
	local p, map = setup(backing)
	local a = map(10)
	guard(p, a, 10)
	check("populate_read", vma.try(p.madvise, p, a, 10 * P, "populate_read"), "EFAULT")
	check("populate_write", vma.try(p.madvise, p, a, 10 * P, "populate_write"), "EFAULT")
end

function G.cold_pageout(backing)
	local p, map = setup(backing)
	local a = map(10)
	guard(p, a, 10)
	p:madvise(a, 10 * P, "cold")
	check("after_cold", state(p, a, 10), string.rep("g", 10))
	p:madvise(a, 10 * P, "pageout")
	check("after_pageout", state(p, a, 10), string.rep("g", 10))
end

function G.uffd(backing)
	local p, map = setup(backing)
	local a = map(10)
	p:uffd_register(a, 10 * P, "missing")
	guard(p, a, 10)
	check("guarded", state(p, a, 10), string.rep("g", 10))
	check("userfaults", #p:uffd_events(), 0)
end

function G.madvise_sequential(backing)
	local p, map = setup(backing)
	local a = map(10)
	set_pattern(p, a, 10)
	p:madvise(a, 10 * P, "sequential")
	every_other(p, a, 10)
	p:madvise(a, 10 * P, "pageout")
	check("after_pageout", state(p, a, 10, true), "g.g.g.g.g.")
	local ok = true
	for i = 1, 9, 2 do ok = ok and p:read(a + i * P, 1) == string.char(97 + i) end
	check("odd_pages_data", ok, true)
	unguard(p, a, 10)
	check("pattern_intact", pattern_ok(p, a, 10), true)
end

function G.map_private(backing)
	local p, map, fd = setup(backing)
	local s = map(10)
	local v = p:mmap{len = 10 * P, fd = fd, flags = "private"}
	set_pattern(p, s, 10)
	every_other(p, s, 10)
	check("shared_guarded", state(p, s, 10, true), "g.g.g.g.g.")
	check("private_readable", state(p, v, 10, true), "..........")
	every_other(p, v, 10)
	check("both_guarded", state(p, s, 10, true) .. state(p, v, 10, true),
		"g.g.g.g.g.g.g.g.g.g.")
	unguard(p, s, 10)
	check("private_still_guarded", state(p, s, 10, true) .. state(p, v, 10, true),
		"..........g.g.g.g.g.")
	unguard(p, v, 10)
	check("patterns", pattern_ok(p, s, 10) and pattern_ok(p, v, 10), true)
	for i = 0, 9, 2 do p:write(v + i * P, string.rep(string.char(97 + i), P)) end
	guard(p, v, 5)
	check("private_first_half", state(p, v, 10, true), "ggggg.....")
	unguard(p, v, 10)
	-- pages 0-4 read the file again, 6 and 8 are private copies (written
	-- with what the file holds), the rest read the file: all as the file
	local ok = true
	for i = 0, 9 do ok = ok and p:read(v + i * P, P) == p:read(s + i * P, P) end
	check("contents", ok, true)
end

function G.fault_around(backing)
	local p, map = setup(backing)
	local a = map(10)
	set_pattern(p, a, 10)
	p:madvise(a, 10 * P, "pageout")
	p:munmap(a, 10 * P)
	a = map(10)
	every_other(p, a, 10)
	local odd = true
	for i = 1, 9, 2 do odd = odd and try(p, a + i * P, false) end
	check("odd_readable", odd, true)
	check("after_fault_around", state(p, a, 10, true), "g.g.g.g.g.")
end

function G.truncation(backing)
	local p, map, fd = setup(backing)
	local a = map(10)
	set_pattern(p, a, 10)
	every_other(p, a, 10)
	check("guarded", state(p, a, 10), "g.g.g.g.g.")
	p:ftruncate(fd, 10 * P)
	check("after_truncate", state(p, a, 10), "g.g.g.g.g.")
	p:ftruncate(fd, 5 * P)
	p:ftruncate(fd, 10 * P)
	check("after_shrink_and_grow", state(p, a, 10), "g.g.g.g.g.")
end

function G.hole_punch(backing)
	local p, map = setup(backing)
	local a = map(10)
	set_pattern(p, a, 10)
	guard(p, a + 3 * P, 4)
	check("guarded", state(p, a, 10, true), "...gggg...")
	p:madvise(a + 3 * P, 4 * P, "remove")
	check("after_hole_punch", state(p, a, 10, true), "...gggg...")
	unguard(p, a, 10)
	check("data", pattern_ok(p, a, 3) and vma.holds(p, a + 3 * P, 4 * P, "\0") and
		pattern_ok(p, a + 7 * P, 3, 7), true)
end

-- a file written through a shared mapping, opened again read-only and
-- mapped read-only: guards work there and leave the data alone
function G.readonly_file()
	local p, map, fd = setup("file")
	local a = map(10)
	set_pattern(p, a, 10)
	p:munmap(a, 10 * P)
	local ro = p:reopen(fd, "r")
	p:close(fd)
	a = p:mmap{len = 10 * P, prot = "r", flags = "shared", fd = ro}
	every_other(p, a, 10)
	check("guarded", state(p, a, 10, true), "g.g.g.g.g.")
	unguard(p, a, 10)
	check("pattern", pattern_ok(p, a, 10), true)
end

function G.memfd_write_seal()
	local p, map, fd = setup("shmem", "allow_sealing")
	p:ftruncate(fd, 10 * P)
	local a = map(10)
	set_pattern(p, a, 10)
	p:munmap(a, 10 * P)
	p:add_seals(fd, "write")
	a = map(10, "r")
	check("pattern", pattern_ok(p, a, 10), true)
	every_other(p, a, 10)
	check("guarded", state(p, a, 10, true), "g.g.g.g.g.")
	unguard(p, a, 10)
	check("pattern_after", pattern_ok(p, a, 10), true)
	local sealed = true
	for i = 0, 9 do sealed = sealed and not try(p, a + i * P, true) end
	check("writes_refused", sealed, true)
end

function G.anon_zeropage(backing)
	local p, map = setup(backing)
	local a = map(10, "r")
	every_other(p, a, 10)
	check("guarded", state(p, a, 10, true), "g.g.g.g.g.")
	unguard(p, a, 10)
	check("readable", state(p, a, 10, true), "..........")
	check("zero", vma.holds(p, a, 10 * P, "\0"), true)
end

function G.pagemap(backing)
	local p, map = setup(backing)
	local a = map(10)
	local function bits()
		local s = {}
		for i, e in ipairs(p:pagemap(a, 10)) do s[i] = e.guard and "g" or "." end
		return table.concat(s)
	end
	check("before", bits(), "..........")
	every_other(p, a, 10)
	check("after", bits(), "g.g.g.g.g.")
end

function G.pagemap_scan(backing)
	local p, map = setup(backing)
	local a = map(10)
	local opts = {category_anyof_mask = "guard", return_mask = "guard", vec_len = 10}
	local regs, walk_end = p:pagemap_scan(a, 10 * P, opts)
	check("before", #regs .. " " .. tostring(walk_end == a + 10 * P), "0 true")
	every_other(p, a, 10)
	local runs
	regs, walk_end, runs = p:pagemap_scan(a, 10 * P, opts)
	check("regions", #regs, 5)
	check("walk_end_at_end", walk_end == a + 10 * P, true)
	check("runs", runs, "0-1:guard;2-3:guard;4-5:guard;6-7:guard;8-9:guard")
end

return G
