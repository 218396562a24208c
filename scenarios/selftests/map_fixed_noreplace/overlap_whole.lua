-- selftest map_fixed_noreplace.c overlap_whole: a range covering the whole existing mapping is refused with EEXIST
local t = mm.include("../../lib/fixed_noreplace.lua")
t.refused(0, 5)		-- pages 0 to 4 over pages 1 to 3
