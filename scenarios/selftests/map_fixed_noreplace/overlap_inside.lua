-- selftest map_fixed_noreplace.c overlap_inside: a range inside the existing mapping is refused with EEXIST
local t = mm.include("../../lib/fixed_noreplace.lua")
t.refused(2, 1)		-- page 2, inside pages 1 to 3
