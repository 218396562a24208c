-- lib/merge.lua: the set-up of the VMA merge cases
-- (scenarios/selftests/merge): a process and a 30-page PROT_NONE carve-out
-- to map over, and helpers in pages of the carve-out:
--   t.map(page, n [, prot [, flags]])  MAP_FIXED private anonymous at that
--                  page ("noreserve" in flags adds MAP_NORESERVE); returns
--                  the address
--   t.at(page)     the address of that page
--   t.move(addr, n, page)  mremap(MAYMOVE | FIXED) of n pages to that page
--                  (which may lie past the carve-out: 1000 is far away)
--   t.span(addr)   the VMA holding addr as "first..end" in pages
--   t.check(name, addr, first, n)  observes that span, expects the VMA to
--                  be pages [first, first + n)
--   t.write(addr)  one write: the VMA gets its anon_vma ("faulted")
--   t.three_apart()  5-page VMAs a, b, c mapped at pages 1, 7 and 14, then
--                  c moved to page 2014 and b to 1007; returns a, b, c
local vma = mm.include("vma.lua")
local P = mm.PAGE_SIZE
local t = {P = P}
local p = mm.spawn()
local carve = p:mmap{len = 30 * P, prot = "none"}
t.p, t.carve = p, carve

function t.at(page) return carve + page * P end

function t.map(page, n, prot, flags)
	return p:mmap{addr = t.at(page), len = n * P, prot = prot or "rw",
		flags = "private,anonymous,fixed" .. (flags and "," .. flags or "")}
end

function t.move(addr, n, page, extra)
	return p:mremap(addr, n * P, n * P, "maymove,fixed" .. (extra or ""), t.at(page))
end

function t.span(addr)
	return vma.span(p, carve, addr)
end

function t.check(name, addr, first, n)
	local got = t.span(addr)
	mm.observe(name, got)
	mm.expect_eq(got, string.format("%d..%d", first, first + n), name)
end

function t.write(addr)
	p:write(addr, "x")
end

function t.three_apart()
	local a = t.map(1, 5)
	local b = t.map(7, 5)
	local c = t.map(14, 5)
	c = t.move(c, 5, 2014)
	b = t.move(b, 5, 1007)
	return a, b, c
end

return t
