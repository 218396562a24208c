-- lib/soft_dirty.lua: soft-dirty cases need CONFIG_MEM_SOFT_DIRTY's
-- behaviour.  The model has it as a switch, turned on here; a kernel
-- without it skips the scenario (mm.require) with the reason.
--   sd.bit(p, addr)          pagemap's soft-dirty bit of that page
--   sd.cycles(p, a, n)       n rounds of: clear_refs 4, the bit must be
--                            clear; a write; the bit must be set.  Returns
--                            the rounds that went as they should.
--   sd.mprotect_cycle(map)   on the page map(p) returns: write, clear,
--                            mprotect r then rw, write; observes and
--                            expects the bit at each step
if mm.backend == "model" then mm.set("/sys/kernel/mm/mmlab/soft_dirty", 1) end
mm.require("soft_dirty")
local sd = {}

function sd.bit(p, addr)
	return p:pagemap(addr).soft_dirty
end

function sd.cycles(p, a, n)
	local good = 0
	p:clear_refs(4)
	for i = 1, n do
		local clean = not sd.bit(p, a)
		p:clear_refs(4)
		p:write(a, string.char(i & 0xff))
		if clean and sd.bit(p, a) then good = good + 1 end
		p:clear_refs(4)
	end
	return good
end

function sd.mprotect_cycle(map)
	local P = mm.PAGE_SIZE
	local p = mm.spawn()
	local a = map(p)
	local steps = {}
	p:write(a, "\1")
	steps[1] = sd.bit(p, a)
	p:clear_refs(4)
	steps[2] = sd.bit(p, a)
	p:mprotect(a, P, "r")
	steps[3] = sd.bit(p, a)
	p:mprotect(a, P, "rw")
	steps[4] = sd.bit(p, a)
	p:write(a, "\2")
	steps[5] = sd.bit(p, a)
	local want = {true, false, false, false, true}
	local names = {"written", "cleared", "read_only", "read_write", "rewritten"}
	for i = 1, 5 do
		mm.observe(names[i], steps[i])
		mm.expect_eq(steps[i], want[i], "soft-dirty when " .. names[i])
	end
end

return sd
