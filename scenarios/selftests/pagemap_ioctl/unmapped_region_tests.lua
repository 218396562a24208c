-- selftest pagemap_ioctl.c unmapped_region_tests: a scan of a range with nothing mapped succeeds and reports nothing
local H = mm.include("wp.inc")
local p, check = H.p, mm.check
local start, len = 0x10000000, 0x40000
local regs = p:pagemap_scan(start, len, {
	category_anyof_mask = "wpallowed,file,present,swapped,pfnzero,huge",
	return_mask = "wpallowed,file,present,swapped,pfnzero,huge", vec_len = len // H.P})
check("regions", #regs, 0)
