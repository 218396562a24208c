-- selftest map_fixed_noreplace.c overlap_start: a range over the existing mapping's start is refused with EEXIST
local t = mm.include("../../lib/fixed_noreplace.lua")
t.refused(0, 2)		-- pages 0 and 1, over the start of pages 1 to 3
