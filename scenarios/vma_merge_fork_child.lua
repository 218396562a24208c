-- vma_merge_fork_child: a forked child's faulted VMA does not merge with a
-- new anonymous neighbour, while the parent's merges on both sides.
--
-- The child's VMA links its parent's anon_vma beside its own (its anon_vma
-- chain is not singular): the kernel's is_mergeable_anon_vma refuses to
-- grow such a VMA over a neighbour without an anon_vma, and
-- reusable_anon_vma will not lend its anon_vma to the neighbour's first
-- write, so the two stay apart for good.  The kernel selftest
-- tools/testing/selftests/mm/merge.c (forked_target_vma, forked_source_vma)
-- checks the child's side; observed on 6.18 for both sides.
local P = mm.PAGE_SIZE
local vma = mm.include("lib/vma.lua")

-- [where, where + 5 pages) written, with 10 free pages on either side.
local function setup(p)
	local m = p:mmap{len = 25 * P}
	p:munmap(m, 25 * P)
	local a = p:mmap{addr = m + 10 * P, len = 5 * P, flags = "private,anonymous,fixed"}
	p:touch(a, 5 * P, "w")
	return a
end

local function run(who, p, a)
	-- a new rw mapping just above: the target of the merge (forked_target_vma)
	vma.fixed(p, a + 5 * P, 2)
	mm.observe(who .. "_above", vma.span(p, a, a))
	-- its first write: the neighbour's anon_vma, or one of its own
	p:touch(a + 5 * P, 2 * P, "w")
	-- and just below
	vma.fixed(p, a - 2 * P, 2)
	mm.observe(who .. "_below", vma.span(p, a, a))
	p:touch(a - 2 * P, 2 * P, "w")
	mm.observe(who .. "_below_written", vma.span(p, a, a - 2 * P))
	-- the written neighbours, made read-only and back: merge only when
	-- they share the anon_vma
	p:mprotect(a + 5 * P, 2 * P, "r")
	p:mprotect(a + 5 * P, 2 * P, "rw")
	mm.observe(who .. "_above_after_mprotect", vma.span(p, a, a + 5 * P))
end

-- parent
local p = mm.spawn()
local a = setup(p)
local c = p:fork()
run("parent", p, a)
mm.expect_eq(vma.span(p, a, a), "-2..7", "the parent merges on both sides")

-- child: its inherited VMA is written (CoW broken everywhere): still a fork
-- child (the chain keeps the parent's anon_vma)
c:touch(a, 5 * P, "w")
run("child", c, a)
mm.expect_eq(vma.span(c, a, a), "0..5", "the child's VMA stays alone")
mm.expect_eq(vma.span(c, a, a + 5 * P), "5..7", "the new mapping above stays apart")
mm.expect_eq(vma.span(c, a, a - 2 * P), "-2..0", "and the one below")

-- forked_source_vma: an incompatible (rwx) neighbour, never written; then the
-- VMA becomes rwx too and would be the merge source: a fork child's is not
-- A fresh parent with its region written and a child that wrote it too;
-- step(who, process) runs in both.
local function both(step)
	local parent = mm.spawn()
	local at = setup(parent)
	local child = parent:fork()
	child:touch(at, 5 * P, "w")
	step("parent", parent, at)
	step("child", child, at)
	return parent, child, at
end

local q, qc, b = both(function(who, pr, b)
	vma.fixed(pr, b + 5 * P, 3, "rwx")
	mm.observe(who .. "_rwx_neighbour", vma.span(pr, b, b + 5 * P))
	pr:mprotect(b, 5 * P, "rwx")
	mm.observe(who .. "_source_after_mprotect", vma.span(pr, b, b))
end)
mm.expect_eq(vma.span(qc, b, b), "0..5", "a fork child is no merge source")
mm.expect_eq(vma.span(q, b, b), "0..8", "the parent's VMA is")

-- a written new mapping one page above, then the page between mapped: the
-- gap joins the written mapping, never the fork child's VMA; in the parent
-- it joins the left side (the kernel's choice when the two sides have
-- different anon_vmas)
local r, rc, g = both(function(who, pr, g)
	vma.fixed(pr, g + 6 * P, 2)
	pr:touch(g + 6 * P, 2 * P, "w")
	vma.fixed(pr, g + 5 * P, 1)
	mm.observe(who .. "_gap", vma.span(pr, g, g + 5 * P))
	mm.observe(who .. "_gap_left", vma.span(pr, g, g))
end)
mm.expect_eq(vma.span(rc, g, g + 5 * P), "5..8", "the gap joins the right side only")
mm.expect_eq(vma.span(r, g, g + 5 * P), "0..6", "the gap joins the left side")
