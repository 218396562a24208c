-- selftest map_fixed_noreplace.c adjacent_start: a page just below an existing mapping is mapped (and merges with it)
local t = mm.include("../../lib/fixed_noreplace.lua")
t.map(1, 3)
local res, addr = t.map(0, 1)
mm.observe("result", res)
mm.observe("at_hint", addr == t.base)
mm.observe("vma", t.vma(0))		-- same flags: one VMA, pages 0 to 3
mm.expect_eq(res, "ok", "the free page below is mapped")
