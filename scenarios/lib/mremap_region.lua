-- lib/mremap_region.lua: the moves of mremap_test.c's region cases
-- (scenarios/selftests/mremap_test).  region{src = A, dst = B, size = S,
-- overlap = bool, preamble = bytes} maps S bytes of shared anonymous memory
-- at an address that is a multiple of A but not of 2A (so that it is not
-- aligned better by chance), fills its first min(S, 4 MiB) with a pattern,
-- and mremap(MAYMOVE | FIXED)s it to the first free multiple of B (not of
-- 2B) past its end (overlapping: one B before its end); with a preamble,
-- a filled shared mapping of that size lies just below the destination.
-- Returns "ok" or the errno of the first call that failed, and whether the
-- data (and preamble) arrived intact.
local vma = mm.include("vma.lua")
local MB = mm.MB
local LOW = 64 * MB		-- mapping_min_addr plus headroom, as the selftest
local p = mm.spawn()

local function free(addr, size)
	local res, a = vma.try(p.mmap, p, {addr = addr, len = size,
		flags = "shared,anonymous,fixed_noreplace"})
	if res == "ok" then p:munmap(a, size) end
	return res ~= "EEXIST"
end

-- the first address from `from` on that is an odd multiple of align
local function odd_multiple(from, align)
	local a = (from + align - 1) // align * align
	if a & align == 0 then a = a + align end
	return a
end

return function(c)
	local src = odd_multiple(LOW, c.src)
	local res
	while true do
		res, src = vma.try(p.mmap, p, {addr = src, len = c.size,
			flags = "shared,anonymous,fixed_noreplace"})
		if res ~= "EEXIST" then break end
		src = odd_multiple(src + 2 * c.src, c.src)
	end
	if res ~= "ok" then return res, false end
	local n = math.min(c.size, 4 * MB)
	p:fill(src, n, 7)
	local data = p:read(src, n)
	local dst = (src + c.size + (c.overlap and -c.dst or c.dst)) & ~(c.dst - 1)
	dst = dst + (c.preamble or 0)
	if dst & c.dst == 0 then dst = dst | c.dst end
	while not c.overlap and dst % mm.PAGE_SIZE == 0 and not free(dst, c.size) do
		dst = dst + c.dst
	end
	local pre = c.preamble and p:mmap{addr = dst - c.preamble, len = c.preamble,
		flags = "shared,anonymous,fixed_noreplace"}
	if pre then p:fill(pre, c.preamble, 8) end
	local r, got = vma.try(p.mremap, p, src, c.size, c.size, "maymove,fixed", dst)
	if r ~= "ok" then return r, false end
	local intact = got == dst and p:read(dst, n) == data
	if pre then intact = intact and p:verify(pre, c.preamble, 8) == true end
	return r, intact
end
