-- mremap_merge: VMA merges after a move, as 6.18 does them and the kernel
-- selftest tools/testing/selftests/mm/merge.c (mremap_*) checks.  A moved
-- range that never had an anon_vma takes the page offset of its new place
-- and merges like a new mapping; a written one keeps its page offset and
-- merges only where it lines up; a fork child's written range joins no
-- unwritten neighbour, even back at its old place, while growing in place
-- is a new range of the VMA's and does.  Observed on 6.18.
local P = mm.PAGE_SIZE

local function setup()
	local p = mm.spawn()
	local m = p:mmap{len = 512 * P}
	p:munmap(m, 512 * P)
	local function fixed(addr, n)
		return p:mmap{addr = addr, len = n * P, flags = "private,anonymous,fixed"}
	end
	local function span(a, x)
		local sm = p:smaps(x)
		return sm and string.format("%d..%d", (sm.start - a) // P, (sm["end"] - a) // P) or "none"
	end
	return p, m, fixed, span
end

local p, m, fixed, span = setup()
-- unwritten moved next to written, after it and before it
local x = fixed(m + 20 * P, 5)
local y = fixed(m + 200 * P, 5)
p:touch(x, P, "w")
p:mremap(y, 5 * P, 5 * P, "maymove,fixed", x + 5 * P)
mm.observe("unwritten_after_written", span(x, x))
local x2 = fixed(m + 60 * P, 5)
local y2 = fixed(m + 220 * P, 5)
p:touch(x2, P, "w")
p:mremap(y2, 5 * P, 5 * P, "maymove,fixed", x2 - 5 * P)
mm.observe("unwritten_before_written", span(x2, x2))
-- unwritten moved between two written VMAs of different anon_vmas: the left
local l = fixed(m + 100 * P, 5)
local r = fixed(m + 110 * P, 5)
p:touch(l, P, "w")
p:touch(r, P, "w")
local y3 = fixed(m + 240 * P, 5)
p:mremap(y3, 5 * P, 5 * P, "maymove,fixed", l + 5 * P)
mm.observe("between_written_left", span(l, l))
mm.observe("between_written_right", span(l, r))
-- written moved next to written: page offsets do not line up
local a = fixed(m + 130 * P, 5)
local b = fixed(m + 260 * P, 5)
p:touch(a, P, "w")
p:touch(b, P, "w")
p:mremap(b, 5 * P, 5 * P, "maymove,fixed", a + 5 * P)
mm.observe("written_next_to_written", span(a, a))
-- a written piece moved away and back lines up again
local c = fixed(m + 160 * P, 9)
p:touch(c, 9 * P, "w")
local away = p:mremap(c + 3 * P, 3 * P, 3 * P, "maymove,fixed", m + 300 * P)
mm.observe("piece_away_left", span(c, c))
p:mremap(away, 3 * P, 3 * P, "maymove,fixed", c + 3 * P)
mm.observe("piece_back", span(c, c))

-- fork: the parent's and the child's written VMA moved away, an unwritten
-- VMA mapped right after the old place, then moved back next to it
local q, qm, qfixed, qspan = setup()
local v = qfixed(qm + 20 * P, 5)
q:touch(v, 5 * P, "w")
local child = q:fork()
child:touch(v, 5 * P, "w")
for _, e in ipairs{{"parent", q}, {"child", child}} do
	local who, pr = e[1], e[2]
	pr:mremap(v, 5 * P, 5 * P, "maymove,fixed", qm + 200 * P)
	pr:mmap{addr = v + 5 * P, len = 3 * P, flags = "private,anonymous,fixed"}
	pr:mremap(qm + 200 * P, 5 * P, 5 * P, "maymove,fixed", v)
	local sm = pr:smaps(v)
	mm.observe(who .. "_moved_back", (sm["end"] - v) // P)
	mm.expect_eq((sm["end"] - v) // P, who == "child" and 5 or 8,
		     "a fork child's moved range joins no unwritten VMA")
	-- growing in place up to an unwritten VMA
	pr:munmap(v + 5 * P, 5 * P)
	pr:mmap{addr = v + 10 * P, len = 3 * P, flags = "private,anonymous,fixed"}
	pr:mremap(v, 5 * P, 10 * P)
	mm.observe(who .. "_grown", (pr:smaps(v)["end"] - v) // P)
end
