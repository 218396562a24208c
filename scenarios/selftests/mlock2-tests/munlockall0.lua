-- selftest mlock2-tests.c munlockall0: mlockall(MCL_CURRENT) locks and populates an existing mapping; munlockall unlocks it
local m = mm.include("../../lib/mlock2.lua")
local p = m.spawn()
local a = m.map(p, 2)
p:mlockall("current")
m.check("after_mlockall", p, a, "locked")
p:munlockall()
m.check("after_munlockall", p, a, "unlocked")
