-- mremap_move_vmpte: moving written memory moves its page tables: a whole
-- PTE table in one PMD entry where source and destination both cover its
-- 2 MiB (move_normal_pmd), entry by entry elsewhere (move_ptes); the old
-- tables are freed with the old range.  VmPTE and RssAnon after each move,
-- and the data at the new place.  Observed on 6.18 (mm/mremap.c).
local P, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()

-- a free, PMD-aligned area of @n PMDs
local function area(n)
	local m = p:mmap{len = (n + 1) * PMD}
	p:munmap(m, (n + 1) * PMD)
	return (m + PMD - 1) & ~(PMD - 1)
end

local function moved(name, src, len, dst, flags)
	local before = p:read(src, len)
	local st0 = p:status()
	local r = p:mremap(src, len, len, flags or "maymove,fixed", dst)
	local st1 = p:status()
	mm.observe(name .. "_addr_ok", r == dst)
	mm.observe(name .. "_vmpte_delta", st1.VmPTE - st0.VmPTE)
	mm.observe(name .. "_rss_delta", st1.RssAnon - st0.RssAnon)
	mm.observe(name .. "_data", p:read(r, len) == before)
	mm.observe(name .. "_old_gone", p:smaps(src) == nil)
	return r
end

local base = p:status().VmPTE
-- 4 MiB, PMD-aligned on both sides: two tables move whole
local src = area(2)
p:mmap{addr = src, len = 2 * PMD, flags = "private,anonymous,fixed"}
local dst = area(2)
p:fill(src, 2 * PMD, 1)
mm.observe("filled_vmpte", p:status().VmPTE - base)
local st = p:status().VmPTE
moved("aligned", src, 2 * PMD, dst)
mm.expect_eq(p:status().VmPTE, st, "whole tables moved: no new one")

-- the same range moved half a PMD off: every entry moves, new tables
local odd = area(3) + PMD // 2
moved("misaligned", dst, 2 * PMD, odd)

-- a VMA that starts mid-PMD moved to an equally misaligned place: the move
-- starts at the PMD boundary below (try_realign_addr), a table at a time
local ra = area(3) + 256 * P
moved("realigned", odd, 2 * PMD, ra)

-- a small move inside one table to another place in it, then out of it
local s = p:mmap{len = 8 * P}
p:fill(s, 8 * P, 2)
moved("small_near", s, 4 * P, s + 16 * P)
moved("small_far", s + 4 * P, 4 * P, area(1) + 100 * P)

-- growing with something mapped right after: it moves to a place the
-- kernel chooses (the linux backend asks for the place the model chooses)
local g = p:mmap{len = 2 * PMD}
p:fill(g, 2 * PMD, 3)
p:mmap{addr = g + 2 * PMD, len = P, prot = "r", flags = "private,anonymous,fixed"}
local before = p:read(g, 2 * PMD)
local st0 = p:status()
local r = p:mremap(g, 2 * PMD, 2 * PMD + 4 * P, "maymove")
mm.observe("grow_move_moved", r ~= g)
mm.observe("grow_move_data", p:read(r, 2 * PMD) == before)
mm.observe("grow_move_vmpte_delta", p:status().VmPTE - st0.VmPTE)
mm.observe("grow_move_size_kb", p:smaps(r).Size)
