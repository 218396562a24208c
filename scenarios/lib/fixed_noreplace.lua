-- lib/fixed_noreplace.lua: the set-up of the MAP_FIXED_NOREPLACE cases
-- (scenarios/selftests/map_fixed_noreplace): a process, a free range of 5
-- pages found by mapping and unmapping it, and
--   t.map(first, n)   MAP_FIXED_NOREPLACE of pages [first, first + n) of
--                     the range, PROT_NONE: "ok" and the address, or the
--                     errno name
--   t.vma(i)          the VMA holding page i, "first..end" in pages, or "none"
--   t.refused(first, n)  with pages 1-3 mapped, maps [first, first + n),
--                     observes and expects EEXIST and the mapping untouched
local vma = mm.include("vma.lua")
local P = mm.PAGE_SIZE
local t = {}
local p = mm.spawn()
local base = p:mmap{len = 5 * P, prot = "none"}
p:munmap(base, 5 * P)
t.p, t.base = p, base

function t.map(first, n)
	return vma.try(p.mmap, p, {addr = base + first * P, len = n * P,
		prot = "none", flags = "private,anonymous,fixed_noreplace"})
end

function t.vma(i)
	return vma.span(p, base, base + i * P)
end

function t.refused(first, n)
	t.map(1, 3)
	local res = t.map(first, n)
	mm.observe("result", res)
	mm.observe("existing", t.vma(1))
	mm.observe("page0", t.vma(0))
	mm.observe("page4", t.vma(4))
	mm.expect_eq(res, "EEXIST", "an overlap is refused")
	mm.expect_eq(t.vma(1), "1..4", "the existing mapping is untouched")
	mm.expect(t.vma(0) == "none" and t.vma(4) == "none", "nothing beside it")
end

return t
