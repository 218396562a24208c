-- selftest map_fixed_noreplace.c adjacent_end: a page just above an existing mapping is mapped (and merges with it)
local t = mm.include("../../lib/fixed_noreplace.lua")
t.map(1, 3)
local res, addr = t.map(4, 1)
mm.observe("result", res)
mm.observe("at_hint", addr == t.base + 4 * mm.PAGE_SIZE)
mm.observe("vma", t.vma(4))		-- same flags: one VMA, pages 1 to 4
mm.expect_eq(res, "ok", "the free page above is mapped")
