-- memfd_fallocate: fallocate(2) on a memfd.  Allocation fills the range
-- with zero pages and grows the file to its end, unless keep_size; the
-- pages count as the file's but are "not yet written": a read fault maps
-- them one at a time (fault-around skips them, they are not uptodate).
-- punch_hole,keep_size frees whole pages, unmapping them from every
-- mapping but leaving the private copies (CoW) of private mappings, and
-- zeroes the parts of pages at its ends in place.  Errors: EINVAL (offset
-- < 0, len <= 0), EOPNOTSUPP (a mode shmem does not have, two modes, a
-- punch without keep_size), EBADF (fd opened read-only), EFBIG, EPERM
-- (a punch under a write seal; growing under F_SEAL_GROW).  mm/shmem.c
-- (shmem_fallocate), fs/open.c (vfs_fallocate); observed on 6.18.
local P = mm.PAGE_SIZE
local vma = mm.include("lib/vma.lua")
local p = mm.spawn()

local function sig(f, ...)
	local ok, err = pcall(f, p, ...)
	return ok and "ok" or err:match("SIG%u+") or err:match("^%u+") or err
end

-- allocation
local fd = p:memfd("falloc", 0)
p:fallocate(fd, "", 0, 6 * P)
local a = p:mmap{len = 8 * P, fd = fd, flags = "shared"}
local st0 = p:status()
mm.observe("grown_page5", sig(p.read, a + 5 * P, 8))
mm.observe("past_end_page6", sig(p.read, a + 6 * P, 8))
mm.expect_eq(sig(p.read, a + 6 * P, 8), "SIGBUS", "the file grew to 6 pages")
mm.observe("reads_zero", p:read(a + 5 * P, 8) == string.rep("\0", 8))
local _ = p:read(a, 1)
mm.observe("present_after_two_reads", vma.count(p, a, 6, "present"))
mm.expect_eq(vma.count(p, a, 6, "present"), 2, "fault-around maps no page not yet used")
mm.observe("rss_shmem_delta_kb", p:status().RssShmem - st0.RssShmem)
p:fallocate(fd, "keep_size", 0, 8 * P)
mm.observe("keep_size_page6", sig(p.read, a + 6 * P, 8))
mm.expect_eq(sig(p.read, a + 6 * P, 8), "SIGBUS", "keep_size does not grow")
p:ftruncate(fd, 8 * P)
mm.observe("after_grow_page7", sig(p.read, a + 7 * P, 8))
-- written pages are uptodate: fault-around maps them
local b = p:mmap{len = 8 * P, fd = fd, flags = "shared"}
p:fill(a, 8 * P, 5)
local _ = p:read(b, 1)
mm.observe("written_then_read_present", vma.count(p, b, 8, "present"))
mm.expect_eq(vma.count(p, b, 8, "present"), 8, "fault-around maps written pages")
p:munmap(b, 8 * P)

-- punch a hole [100, 3 pages + 100) in a shared and a private mapping
local v = p:mmap{len = 8 * P, fd = fd, flags = "private"}
p:write(v + P, "private copy")
local _ = p:read(v + 2 * P, 1)
local before0 = p:read(a, 100)
local after3 = p:read(a + 3 * P + 100, 100)
p:fallocate(fd, "punch_hole,keep_size", 100, 3 * P)
mm.observe("shared_hole_pages_present", vma.count(p, a + P, 2, "present"))
mm.observe("shared_edge_pages_present", vma.count(p, a, 1, "present") + vma.count(p, a + 3 * P, 1, "present"))
mm.observe("private_hole_page_present", vma.count(p, v + 2 * P, 1, "present"))
mm.observe("private_copy_present", vma.count(p, v + P, 1, "present"))
mm.expect_eq(vma.count(p, a + P, 2, "present"), 0, "whole pages of the hole unmapped")
mm.expect_eq(vma.count(p, v + P, 1, "present"), 1, "the private copy stays")
mm.observe("private_copy_kept", p:read(v + P, 12))
mm.observe("before_hole_kept", p:read(a, 100) == before0)
mm.observe("hole_start_zero", p:read(a + 100, P - 100) == string.rep("\0", P - 100))
mm.observe("hole_pages_zero", p:read(a + P, 2 * P) == string.rep("\0", 2 * P))
mm.observe("hole_end_zero", p:read(a + 3 * P, 100) == string.rep("\0", 100))
mm.observe("after_hole_kept", p:read(a + 3 * P + 100, 100) == after3)
mm.expect_eq(p:read(a + 3 * P, 100), string.rep("\0", 100), "partial page zeroed")
mm.expect_eq(p:read(a + 3 * P + 100, 100), after3, "bytes past the hole kept")
mm.observe("private_hole_zero", p:read(v + 2 * P, 8) == string.rep("\0", 8))
mm.observe("size_kept", sig(p.read, a + 7 * P, 8))
p:madvise(a + 4 * P, P, "remove")
mm.observe("madv_remove_present", vma.count(p, a + 4 * P, 1, "present"))

-- errors
local function err(f, mode, off, len)
	local ok, e = pcall(p.fallocate, p, f, mode, off, len)
	return ok and "ok" or e:match("^%u+")
end
local ro = p:reopen(fd, "r")
local sealed = p:memfd("sealed", 4 * P, "allow_sealing")
p:add_seals(sealed, "grow,future_write")
local cases = {
	{"len_0", fd, "", 0, 0, "EINVAL"},
	{"len_negative", fd, "", 0, -P, "EINVAL"},
	{"offset_negative", fd, "", -1, P, "EINVAL"},
	{"len_0_unknown_mode", fd, 0x100, 0, 0, "EINVAL"},
	{"unknown_mode", fd, 0x100, 0, P, "EOPNOTSUPP"},
	{"punch_without_keep_size", fd, "punch_hole", 0, P, "EOPNOTSUPP"},
	{"zero_range", fd, "zero_range", 0, P, "EOPNOTSUPP"},
	{"zero_range_keep_size", fd, "zero_range,keep_size", 0, P, "EOPNOTSUPP"},
	{"collapse_range", fd, "collapse_range", 0, P, "EOPNOTSUPP"},
	{"collapse_keep_size", fd, "collapse_range,keep_size", 0, P, "EOPNOTSUPP"},
	{"insert_range", fd, "insert_range", 0, P, "EOPNOTSUPP"},
	{"unshare_range", fd, "unshare_range", 0, P, "EOPNOTSUPP"},
	{"write_zeroes", fd, "write_zeroes", 0, P, "EOPNOTSUPP"},
	{"punch_and_zero", fd, "punch_hole,zero_range,keep_size", 0, P, "EOPNOTSUPP"},
	{"past_largest_file", fd, "keep_size", math.maxinteger - P + 1, P, "EFBIG"},
	{"read_only_fd", ro, "", 0, P, "EBADF"},
	{"read_only_punch", ro, "punch_hole,keep_size", 0, P, "EBADF"},
	{"read_only_collapse", ro, "collapse_range", 0, P, "EBADF"},
	{"bad_fd", 60, "", 0, P, "EBADF"},
	{"sealed_grow", sealed, "", 0, 8 * P, "EPERM"},
	{"sealed_grow_keep_size", sealed, "keep_size", 0, 8 * P, "EPERM"},
	{"sealed_within", sealed, "", 0, 4 * P, "ok"},
	{"sealed_punch", sealed, "punch_hole,keep_size", 0, P, "EPERM"},
}
for _, c in ipairs(cases) do
	local got = err(c[2], c[3], c[4], c[5])
	mm.observe("err_" .. c[1], got)
	mm.expect_eq(got, c[6], c[1])
end
