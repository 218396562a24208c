-- selftest mlock2-tests.c lock_onfault_of_present: mlock2(MLOCK_ONFAULT) over a range with one page already present marks the VMA lock-on-fault without populating the rest
local m = mm.include("../../lib/mlock2.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local a = m.map(p, 2)
p:touch(a, P, "w")
p:mlock(a, 2 * P, "onfault")
m.check("page0", p, a, "onfault")
m.check("page1", p, a + P, "onfault")
