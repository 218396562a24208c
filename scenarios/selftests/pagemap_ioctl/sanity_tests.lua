-- selftest pagemap_ioctl.c sanity_tests: the category masks (required, any-of, excluded, return) select and report written, present and file pages
local H = mm.include("wp.inc")
local p, P, check = H.p, H.P, mm.check
local ALL = "wpallowed,written,file,present,swapped,pfnzero,huge"
local NONW = "wpallowed,file,present,swapped,pfnzero,huge"
local N = 10
local n = N * P
local function scan(a, len, opts)
	local ok, r = pcall(p.pagemap_scan, p, a, len, opts)
	return ok and r or r:match("E%u+")
end
local function first(regs, base)
	if type(regs) ~= "table" then return tostring(regs) end
	if not regs[1] then return "none" end
	return string.format("%d+%d:%s", (regs[1].start - base) // P, regs[1].pages, regs[1].categories)
end
local a = p:mmap{len = n}
H.init(a, n)
H.reset(a, n)
check("wp_with_all", type(scan(a, n, {flags = "wp_matching,check_wpasync", category_mask = ALL, return_mask = ALL})), "table")
check("required_all", type(scan(a, n, {category_mask = ALL, return_mask = ALL})), "table")
check("anyof_all", type(scan(a, n, {category_anyof_mask = ALL, return_mask = ALL})), "table")
check("inverted_all", type(scan(a, n, {category_inverted = ALL, return_mask = ALL})), "table")
check("required_and_anyof", type(scan(a, n, {category_mask = ALL, category_anyof_mask = ALL, return_mask = ALL})), "table")
p:munmap(a, n)
-- written present pages
a = p:mmap{len = n}
H.init(a, n)
H.reset(a, n)
p:touch(a, n, "w")
local want = string.format("0+%d:", N)
check("anyof", first(scan(a, n, {category_anyof_mask = ALL, return_mask = ALL}), a), want .. "wpallowed,written,present")
-- every category required: no page is file, swapped, pfnzero and huge at
-- once (the selftest passes here on the region the call before left)
check("required", first(scan(a, n, {category_mask = ALL, return_mask = ALL}), a), "none")
check("required_written_anyof_present", first(scan(a, n, {category_mask = "written", category_anyof_mask = "present", return_mask = ALL}), a),
      want .. "wpallowed,written,present")
check("not_written", #scan(a, n, {category_mask = "written", category_inverted = "written", return_mask = ALL}), 0)
check("not_present", #scan(a, n, {category_mask = "present", category_inverted = "present", return_mask = ALL}), 0)
p:munmap(a, n)
-- reported with the return mask only
a = p:mmap{len = n}
H.init(a, n)
H.reset(a, n)
p:touch(a, n, "w")
check("return_mask_written", first(scan(a, n, {flags = "wp_matching,check_wpasync", category_anyof_mask = ALL, return_mask = "written"}), a),
      want .. "written")
p:munmap(a, n)
-- a file mapped and read: file pages (a memfd here: the model's files are
-- shmem; the selftest maps its own source file)
local fd = p:memfd("pagemap", n)
p:write(p:mmap{len = n, flags = "shared", fd = fd}, string.rep("c", 64))
local f = p:mmap{len = n, prot = "r", flags = "private", fd = fd}
p:touch(f, n, "r")
local r = scan(f, n, {category_anyof_mask = NONW, return_mask = NONW})
check("file_pages", r[1] and r[1].pages or 0, N)
check("file_category", r[1] and r[1].categories:match("file") ~= nil, true)
-- a private file mapping written after the reset
local g = p:mmap{len = n, flags = "private", fd = fd}
H.init(g, n)
H.reset(g, n)
p:touch(g, n, "w")
p:msync(g, n, "sync")
r = scan(g, n, {category_mask = "written", category_anyof_mask = "present,swapped,file", return_mask = ALL})
check("rw_file_pages", r[1] and r[1].pages or 0, N)
check("rw_file_written", r[1] and r[1].categories:match("written") ~= nil, true)
