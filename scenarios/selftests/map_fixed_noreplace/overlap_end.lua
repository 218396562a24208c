-- selftest map_fixed_noreplace.c overlap_end: a range over the existing mapping's end is refused with EEXIST
local t = mm.include("../../lib/fixed_noreplace.lua")
t.refused(3, 2)		-- pages 3 and 4, over the end of pages 1 to 3
