-- selftest pagemap_ioctl.c zeropfn_tests: pages only read map the zero page (PAGE_IS_PFNZERO), and a THP-sized read the huge zero page
mm.require("zero_page")
local H = mm.include("wp.inc")
local p, P, check = H.p, H.P, mm.check
local a = p:mmap{len = 10 * P}
p:touch(a, 10 * P, "r")
local regs = p:pagemap_scan(a, 10 * P, {category_mask = "pfnzero", return_mask = "pfnzero", vec_len = 1})
check("pfnzero.regions", #regs, 1)
check("pfnzero.pages", regs[1] and regs[1].pages or 0, 10)
if mm.has("huge_zero_page") then
	local PMD = mm.PMD_SIZE
	local m = p:mmap{len = 2 * PMD}
	local h = (m + PMD - 1) & ~(PMD - 1)
	p:madvise(h, PMD, "hugepage")
	p:touch(h, P, "r")
	regs = p:pagemap_scan(h, PMD, {category_mask = "pfnzero", return_mask = "pfnzero", vec_len = 1})
	check("huge_pfnzero.pages", regs[1] and regs[1].pages or 0, PMD // P)
end
