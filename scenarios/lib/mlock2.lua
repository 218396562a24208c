-- lib/mlock2.lua: what the mlock2 cases (scenarios/selftests/mlock2-tests)
-- read of a VMA, from smaps:
--   m.state(p, a)   "locked" (VmFlags has lo and every page is resident),
--                   "onfault" (lo, but fewer pages resident than the VMA
--                   has), or "unlocked" (no lo)
--   m.map(p, n)     n fresh pages of private anonymous memory
--   m.spawn()       a process for mlockall: with CAP_IPC_LOCK, as the
--                   selftest runs (as root), since MCL_CURRENT counts the
--                   whole address space, the real process's own libraries
--                   too, against RLIMIT_MEMLOCK
local vma = mm.include("vma.lua")
local m = {}

function m.state(p, a)
	if not vma.flags(p, a).lo then return "unlocked" end
	local sm = p:smaps(a)
	return sm.Rss == sm.Size and "locked" or "onfault"
end

function m.map(p, n)
	return p:mmap{len = n * mm.PAGE_SIZE}
end

function m.spawn()
	mm.require("root")
	local p = mm.spawn()
	p:setcap("ipc_lock", true)
	return p
end

-- observes and expects the state of the VMA holding a
function m.check(name, p, a, want)
	local got = m.state(p, a)
	mm.observe(name, got)
	mm.expect_eq(got, want, name)
end

-- m.split_and_merge(how): a 3-page mapping locked by how.before(p)
-- (before it is mapped: mlockall's MCL_FUTURE) or how.after(p, a, len);
-- observes and expects its pages' VMAs: one, three after munlock of the
-- middle page, one after munlock of all three
function m.split_and_merge(how)
	local P = mm.PAGE_SIZE
	local p = how.before and m.spawn() or mm.spawn()
	if how.before then how.before(p) end
	local a = m.map(p, 3)
	if how.after then how.after(p, a, 3 * P) end
	local function spans()
		return vma.span(p, a, a) .. " " .. vma.span(p, a, a + P) .. " " ..
			vma.span(p, a, a + 2 * P)
	end
	local one, state = spans(), m.state(p, a)
	p:munlock(a + P, P)
	local three = spans()
	p:munlock(a, 3 * P)
	local merged = spans()
	mm.observe("locked", one .. " " .. state)
	mm.observe("middle_unlocked", three)
	mm.observe("all_unlocked", merged)
	mm.expect_eq(one, "0..3 0..3 0..3", "one VMA to start")
	mm.expect_eq(three, "0..1 1..2 2..3", "split in three")
	mm.expect_eq(merged, "0..3 0..3 0..3", "merged again")
	return p
end

return m
