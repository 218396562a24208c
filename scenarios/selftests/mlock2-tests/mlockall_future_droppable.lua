-- selftest mlock2-tests.c mlockall_future_droppable: under mlockall(MCL_CURRENT | MCL_FUTURE) a new MAP_DROPPABLE mapping is not locked
local m = mm.include("../../lib/mlock2.lua")
local p = m.spawn()
p:mlockall("current,future")
local a = p:mmap{len = 2 * mm.PAGE_SIZE, flags = "droppable,anonymous"}
m.check("new_droppable", p, a, "unlocked")
p:munlockall()
