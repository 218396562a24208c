-- lib/mremap_multi.lua: set-ups of mremap_test.c's multi-VMA cases
-- (scenarios/selftests/mremap_test).
--   t.holes(n, keep)  n pages of private anonymous memory with every odd
--                     page unmapped but those in keep; returns the process,
--                     the address and a free range of 2n pages
--   t.fill_pages(p, a, pages, seed)  fills each listed page
--   t.pages_hold(p, a, pages, data)  whether each listed page of a holds
--                     what data (from t.snapshot) held for it
--   t.snapshot(p, a, pages)  the contents of the listed pages
local vma = mm.include("vma.lua")
local t = {}
local P = mm.PAGE_SIZE

function t.holes(n, keep)
	local p = mm.spawn()
	local a = p:mmap{len = n * P}
	local tgt = p:mmap{len = 2 * n * P}
	p:munmap(tgt, 2 * n * P)
	for i = 1, n - 1, 2 do
		if not (keep and keep[i]) then p:munmap(a + i * P, P) end
	end
	return p, a, tgt
end

function t.snapshot(p, a, pages)
	local s = {}
	for _, i in ipairs(pages) do s[i] = p:read(a + i * P, P) end
	return s
end

function t.pages_hold(p, a, pages, data, shift)
	for _, i in ipairs(pages) do
		if p:read(a + (i - (shift or 0)) * P, P) ~= data[i] then return false end
	end
	return true
end

function t.fill_pages(p, a, pages, seed)
	for _, i in ipairs(pages) do p:fill(a + i * P, P, seed) end
end

--   t.moves(flags)    the 11-page move of 5 VMAs with holes, with mremap
--                     flags (observes and expects each step's data)
--   t.split(flags)    the 7-page move out of two VMAs, splitting both
function t.moves(flags)
	local P, N = mm.PAGE_SIZE, 11
	local p, a, tgt = t.holes(N, {[5] = true})	-- VMAs at 0, 2, 4-6, 8, 10
	local pages = {0, 2, 4, 5, 6, 8, 10}
	t.fill_pages(p, a, pages, 9)
	local data = t.snapshot(p, a, pages)

	local steps = {}
	p:mremap(a, N * P, N * P, flags, tgt)
	steps[1] = t.pages_hold(p, tgt, pages, data)
	p:mremap(tgt, N * P, N * P, flags, tgt + N * P)		-- next to itself
	steps[2] = t.pages_hold(p, tgt + N * P, pages, data)
	p:mmap{addr = tgt, len = N * P, prot = "none", flags = "private,anonymous,fixed"}
	p:mremap(tgt + N * P, N * P, N * P, flags, tgt)		-- over a mapping
	steps[3] = t.pages_hold(p, tgt, pages, data)
	for i, name in ipairs{"moved", "moved_next_to_itself", "moved_over_mapping"} do
		mm.observe(name, steps[i])
		mm.expect(steps[i], name .. ": data intact")
	end
end

function t.split(flags)
	local P = mm.PAGE_SIZE
	local p = mm.spawn()
	local a = p:mmap{len = 10 * P}
	local tgt = p:mmap{len = 10 * P}
	p:munmap(tgt, 10 * P)
	p:munmap(a + 5 * P, P)
	local pages = {0, 1, 2, 3, 4, 6, 7, 8, 9}
	t.fill_pages(p, a, pages, 10)
	local data = t.snapshot(p, a, pages)
	p:mremap(a + 2 * P, 7 * P, 7 * P, flags, tgt)
	local moved = t.pages_hold(p, tgt, {2, 3, 4, 6, 7, 8}, data, 2)
	mm.observe("moved_data", moved)
	mm.observe("target_vmas", vma.span(p, tgt, tgt) .. " " .. vma.span(p, tgt, tgt + 4 * P))
	mm.observe("source_left", vma.span(p, a, a) .. " " .. vma.span(p, a, a + 9 * P))
	mm.expect(moved, "the moved pages keep their data")
end

return t
