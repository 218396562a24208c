-- selftest mlock2-tests.c mlock_droppable: mlock2 of MAP_DROPPABLE memory succeeds but does not lock it (a droppable VMA is never VM_LOCKED)
local m = mm.include("../../lib/mlock2.lua")
local vma = mm.include("../../lib/vma.lua")
local p = mm.spawn()
local a = p:mmap{len = 2 * mm.PAGE_SIZE, flags = "droppable,anonymous"}
local res = vma.try(p.mlock, p, a, 2 * mm.PAGE_SIZE)
mm.observe("mlock2", res)
mm.expect_eq(res, "ok", "mlock2 is not refused")
m.check("after_mlock2", p, a, "unlocked")
