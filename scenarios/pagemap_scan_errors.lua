-- pagemap_scan_errors: what PAGEMAP_SCAN refuses, as 6.18 checks it
-- (pagemap_scan_get_args): EINVAL for a size other than the struct's, an
-- unknown flag, an unknown category bit in any of the four masks, an
-- unaligned start, and a vec_len without a vec; EFAULT for a range that
-- ends below its start or past user space, and a vec_len whose array would
-- not fit in it (see tests/test_pagemap_scan.c); EPERM for PM_SCAN_CHECK_WPASYNC at a VMA without
-- userfaultfd's WP_ASYNC.  An unaligned end is rounded up, an empty range
-- is no region, PM_SCAN_WP_MATCHING skips such VMAs (observed on 6.18).
mm.require("pagemap_scan")
local PAGE = mm.PAGE_SIZE
local TOP = (1 << 47) - PAGE		-- the end of user space (4-level)
local p = mm.spawn()
local a = p:mmap{len = 16 * PAGE}
p:touch(a, 16 * PAGE, "w")

local function errno(addr, len, opts)
	local ok, err = pcall(p.pagemap_scan, p, addr, len, opts)
	if ok then
		return "ok " .. #err
	end
	return err:match("^E%u+") or err
end

local cases = {
	{ "size_bigger", a, 16 * PAGE, {size = 104}, "EINVAL" },
	{ "size_zero", a, 16 * PAGE, {size = 0}, "EINVAL" },
	{ "flag_unknown", a, 16 * PAGE, {flags = 4}, "EINVAL" },
	{ "category_mask_bit9", a, 16 * PAGE, {category_mask = 1 << 9}, "EINVAL" },
	{ "category_inverted_bit9", a, 16 * PAGE, {category_inverted = 1 << 9}, "EINVAL" },
	{ "category_anyof_bit9", a, 16 * PAGE, {category_anyof_mask = 1 << 9}, "EINVAL" },
	{ "return_mask_bit9", a, 16 * PAGE, {return_mask = 1 << 9}, "EINVAL" },
	{ "start_unaligned", a + 1, 16 * PAGE, nil, "EINVAL" },
	{ "vec_len_without_vec", a, 16 * PAGE, {vec = false, vec_len = 4}, "EINVAL" },
	{ "end_below_start", a, -PAGE, nil, "EFAULT" },
	{ "end_past_user", a, TOP + 1 - a, nil, "EFAULT" },
	{ "start_past_user", 1 << 47, PAGE, nil, "EFAULT" },
	{ "no_vec", a, 16 * PAGE, {vec = false, vec_len = 0}, "ok 0" },
	{ "check_wpasync", a, 16 * PAGE, {flags = "check_wpasync"}, "EPERM" },
	{ "wp_matching_skips", a, 16 * PAGE, {flags = "wp_matching"}, "ok 0" },
	{ "end_unaligned", a, 16 * PAGE - 1, nil, "ok 1" },
	{ "empty", a, 0, nil, "ok 0" },
	{ "guard_category_known", a, 16 * PAGE, {return_mask = "guard"}, "ok 1" },
}
for _, c in ipairs(cases) do
	local got = errno(c[2], c[3], c[4])
	mm.observe(c[1], got)
	mm.expect_eq(got, c[5], c[1])
end
local _, walk_end = p:pagemap_scan(a, 16 * PAGE - 1)
mm.observe("end_rounded_up", walk_end - a)
mm.expect_eq(walk_end, a + 16 * PAGE, "walk_end at the rounded end")
