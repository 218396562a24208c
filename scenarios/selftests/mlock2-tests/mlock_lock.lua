-- selftest mlock2-tests.c mlock_lock: mlock2 without flags locks and populates the whole range; munlock clears the lock
local m = mm.include("../../lib/mlock2.lua")
local p = mm.spawn()
local a = m.map(p, 2)
p:mlock(a, 2 * mm.PAGE_SIZE)
m.check("after_mlock2", p, a, "locked")
p:munlock(a, 2 * mm.PAGE_SIZE)
m.check("after_munlock", p, a, "unlocked")
