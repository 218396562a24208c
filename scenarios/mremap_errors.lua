-- mremap_errors: every error mremap(2) returns, in 6.18's order of checks
-- (mm/mremap.c: check_mremap_params, then check_prep_vma under mmap_lock),
-- and the calls that look wrong but succeed.  Observed on 6.18.
local P = mm.PAGE_SIZE
local vma = mm.include("lib/vma.lua")
local p = mm.spawn()

local function try(name, ...)
	local ok, r = pcall(p.mremap, p, ...)
	local res = ok and "ok" or r:match("^%u+") or r
	mm.observe(name, res)
	return ok and r or nil
end

local m = p:mmap{len = 256 * P}
p:munmap(m, 256 * P)
local a = vma.fixed(p, m, 8)
p:touch(a, 8 * P, "w")
local far = m + 128 * P

-- check_mremap_params: no VMA needed
try("bad_flag", a, P, P, 8)
try("unaligned_addr", a + 1, P, P, "maymove")
try("zero_new_len", a, P, 0, "maymove")
try("huge_new_len", a, P, 1 << 62, "maymove")
try("fixed_without_maymove", a, P, P, "fixed", far)
try("dontunmap_without_maymove", a, P, P, "dontunmap", far)
try("unaligned_new_addr", a, P, P, "maymove,fixed", far + 5)
try("new_range_past_top", a, P, 2 * P, "maymove,fixed", 0x7ffffffff000 - P)
try("dontunmap_resize", a, P, 2 * P, "maymove,dontunmap")
try("overlap", a, 4 * P, 4 * P, "maymove,fixed", a + 2 * P)
try("overlap_resized", a, 4 * P, 6 * P, "maymove,fixed", a + 3 * P)
-- check_prep_vma
try("nothing_mapped", m + 64 * P, P, 2 * P, "maymove")
try("crosses_vma_end", a + 6 * P, 4 * P, 8 * P, "maymove")
try("private_old_len_0", a, 0, P, "maymove")
vma.fixed(p, a + 8 * P, 1, "r")
mm.expect_eq(try("grow_blocked", a, 8 * P, 10 * P), nil, "no room, no MAYMOVE")
try("grow_not_at_end", a, 2 * P, 3 * P)
-- multi-VMA moves (MREMAP_FIXED, same size): a hole at the start, a resize
local h = vma.fixed(p, m + 40 * P, 4)
try("move_starts_in_hole", h - P, 3 * P, 3 * P, "maymove,fixed", far)
vma.fixed(p, h + 4 * P, 2, "r")
try("resize_across_vmas", h, 6 * P, 7 * P, "maymove,fixed", far)

-- look wrong, succeed
try("same_size_past_end", a + 6 * P, 4 * P, 4 * P, "maymove")
try("shrink_past_end", a + 6 * P, 4 * P, P)
mm.observe("shrunk_vma_pages", (p:smaps(a)["end"] - a) // P)
local s = p:mmap{len = 4 * P, flags = "shared,anonymous"}
p:touch(s, 4 * P, "w")
local dup = try("shared_old_len_0", s, 0, 4 * P, "maymove")
if dup then
	mm.observe("shared_dup_same_data", p:read(dup, 4 * P) == p:read(s, 4 * P))
end
try("dontunmap_shared", s, 4 * P, 4 * P, "maymove,dontunmap")
local fd = p:memfd("mremap", 16 * P)
local f = p:mmap{len = 4 * P, fd = fd, flags = "private"}
p:touch(f, 4 * P, "w")
try("dontunmap_private_file", f, 4 * P, 4 * P, "maymove,dontunmap")
