-- selftest map_fixed_noreplace.c map_inside_free: MAP_FIXED_NOREPLACE maps 3 pages inside a free range, exactly there
local t = mm.include("../../lib/fixed_noreplace.lua")
local res, addr = t.map(1, 3)
mm.observe("result", res)
mm.observe("at_hint", addr == t.base + mm.PAGE_SIZE)
mm.observe("vmas", t.vma(0) .. " " .. t.vma(1) .. " " .. t.vma(4))
mm.expect_eq(res, "ok", "a free range is mapped")
mm.expect_eq(t.vma(1), "1..4", "pages 1 to 3, nothing else")
