-- selftest mlock2-tests.c mlock_onfault: mlock2(MLOCK_ONFAULT) locks the VMA without populating it (one touched page of two is resident); munlock clears the lock on both pages
local m = mm.include("../../lib/mlock2.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local a = m.map(p, 2)
p:mlock(a, 2 * P, "onfault")
p:touch(a, P, "w")
m.check("after_mlock2_onfault", p, a, "onfault")
p:munlock(a, 2 * P)
m.check("page0_after_munlock", p, a, "unlocked")
m.check("page1_after_munlock", p, a + P, "unlocked")
