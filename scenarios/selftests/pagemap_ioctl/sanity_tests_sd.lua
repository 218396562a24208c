-- selftest pagemap_ioctl.c sanity_tests_sd: PAGEMAP_SCAN's argument checks, written-page patterns, max_pages and vec_len limits, two regions, and walk_end
local H = mm.include("wp.inc")
local p, P, check = H.p, H.P, mm.check
local ALL = "wpallowed,written,file,present,swapped,pfnzero,huge"
local N = 1000
local n = N * P
local a = p:mmap{len = n}
H.init(a, n)
H.reset(a, n)
local function res(addr, len, opts)
	local ok, r = pcall(p.pagemap_scan, p, addr, len, opts)
	return ok and #r or r:match("E%u+")
end
local WP = "wp_matching,check_wpasync"
-- 1. arguments
check("zero_range", res(a, 0, {category_mask = ALL, return_mask = ALL}), 0)
check("vec_len_without_vec", res(a, n, {vec = false, vec_len = N // 2, category_mask = ALL, return_mask = ALL}), "EINVAL")
check("vec_len_0", res(a, n, {vec_len = 0, category_mask = ALL, return_mask = ALL}), 0)
check("no_vec", res(a, n, {vec = false, category_mask = ALL, return_mask = ALL}), 0)
check("flags_all_ones", res(a, n, {flags = -1, category_mask = "written", return_mask = "written"}), "EINVAL")
check("flags_extra_bits", res(a, n, {flags = 3 | 0xff, category_mask = "written", return_mask = "written"}), "EINVAL")
check("no_category_mask", type(res(a, n, {return_mask = "written"})), "number")
check("no_return_mask", res(a, n, {category_mask = "written", category_anyof_mask = "written", return_mask = 0}), 0)
check("bad_return_mask", res(a, n, {category_mask = "written", return_mask = 0x1000}), "EINVAL")
check("bad_category_mask", res(a, n, {flags = WP, category_mask = 0xfff, category_anyof_mask = "written", return_mask = "written"}), "EINVAL")
check("inverted_all_with_wp", type(res(a, n, {flags = WP, category_inverted = ALL, return_mask = "written"})), "number")
-- 2. reset the whole area with a larger vec
check("reset_big_vec", type(res(a, n, {flags = WP, vec_len = N // 2, category_mask = "written", return_mask = "written"})), "number")
-- 3. every other page written: N/2 regions
for i = 0, N - 1, 2 do p:touch(a + i * P, P, "w") end
check("alternate", (H.written(a, n, {vec_len = N // 2})), N // 2)
-- 4. the same, read and reset in two parts
local r1 = H.written(a, n, {wp = true, vec_len = N // 2, max_pages = N // 2 - 2})
local r2 = H.written(a, n, {vec_len = 2})
local r3 = H.written(a, n, {wp = true, vec_len = N // 2})
check("parts.first", r1, N // 2 - 2)
check("parts.peek", r2, 2)
check("parts.rest", r3, 2)
-- 5. max_pages stops at N/2 pages; the last page is left for the next call
for i = 0, N - 1, 2 do p:touch(a + i * P, P, "w") end
p:touch(a + (N - 1) * P, P, "w")
check("max_pages.first", (H.written(a, n, {wp = true, vec_len = N // 2, max_pages = N // 2})), N // 2)
check("max_pages.rest", (H.written(a, n, {wp = true, vec_len = N // 2})), 1)
-- 6. read and reset pages 1 and 2 only
p:touch(a, n, "w")
local nr, regs = H.written(a + P, 2 * P, {wp = true, vec_len = 1, max_pages = 2})
check("two_pages.regions", nr, 1)
check("two_pages.pages", regs[1] and regs[1].pages or 0, 2)
nr, regs = H.written(a, n, {vec_len = N})
check("two_pages.after", nr, 2)
check("two_pages.after_first", regs[1] and regs[1].pages or 0, 1)
check("two_pages.after_second_start", regs[2] and (regs[2].start - a) // P or -1, 3)
check("two_pages.after_second", regs[2] and regs[2].pages or 0, N - 3)
p:munmap(a, n)
-- 7. two regions: resetting one leaves the other written
local m0, m1 = p:mmap{len = n}, p:mmap{len = n}
H.init(m0, n)
H.init(m1, n)
H.reset(m0, n)
H.reset(m1, n)
p:touch(m0, n, "w")
p:touch(m1, n, "w")
H.reset(m0, n)
nr, regs = H.written(m1, n, {vec_len = 1})
check("two_regions.regions", nr, 1)
check("two_regions.pages", regs[1] and regs[1].pages or 0, N)
p:munmap(m0, n)
p:munmap(m1, n)
-- 10. walk_end
local V = 1000
local w = p:mmap{len = V * P}
H.init(w, V * P)
H.reset(w, V * P)
p:touch(w, V * P, "w")
local function walk(tag, addr, len, opts, want_n, want_end)
	local nr2, _, we = H.written(addr, len, opts)
	check(tag .. ".regions", nr2, want_n)
	check(tag .. ".walk_end", (we - w) // P, want_end)
end
walk("same_start_end", w, 0, {vec_len = V}, 0, 0)
walk("same_start_end_wp", w, 0, {wp = true, vec_len = V}, 0, 0)
walk("big_vec", w, V * P, {vec_len = V}, 1, V)
walk("vec_of_one", w, V * P, {vec_len = 1}, 1, V)
walk("max_pages_all", w, V * P, {vec_len = 1, max_pages = V}, 1, V)
walk("max_pages_half", w, V * P, {vec_len = V, max_pages = V // 2}, 1, V // 2)
walk("max_pages_one", w, V * P, {vec_len = V, max_pages = 1}, 1, 1)
H.reset(w, V * P)
for i = 0, V - 1, 2 do p:touch(w + i * P, P, "w") end
walk("sparse.big_vec", w, V * P, {vec_len = V}, V // 2, V)
walk("sparse.vec_of_one", w, V * P, {vec_len = 1}, 1, 2)
walk("sparse.vec_of_one_max_pages", w, V * P, {vec_len = 1, max_pages = V}, 1, 2)
walk("sparse.half_vec", w, V * P, {vec_len = V // 2, max_pages = V}, V // 2, V)
walk("sparse.max_pages_half", w, V * P, {vec_len = V, max_pages = V // 2}, V // 2, V)
walk("sparse.max_pages_one", w, V * P, {vec_len = V, max_pages = 1}, 1, 2)
