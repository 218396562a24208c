-- selftest soft-dirty.c simple: on an anonymous page, clear_refs 4 clears the soft-dirty bit and the next write sets it, round after round
local sd = mm.include("../../lib/soft_dirty.lua")
local p = mm.spawn()
local a = p:mmap{len = mm.PAGE_SIZE}
p:touch(a, mm.PAGE_SIZE, "w")
local rounds = 200	-- the selftest runs 10000; every round checks the same
local good = sd.cycles(p, a, rounds)
mm.observe("good_rounds", good)
mm.expect_eq(good, rounds, "clear, then dirty on write, every round")
