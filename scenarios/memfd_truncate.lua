-- memfd_truncate: ftruncate(2) of a memfd mapped shared and private.
-- Shrinking unmaps every page past the new size from every mapping -
-- private copies (CoW) too - and frees it; an access there is SIGBUS; the
-- bytes of the last page past the size read as zero; growing back brings
-- zero pages, not the old data; ftruncate to the size a file has frees
-- what lies past it too.  Errors: EINVAL (negative length, an fd opened
-- read-only), EBADF, EPERM (F_SEAL_SHRINK, F_SEAL_GROW).  mm/shmem.c
-- (shmem_setattr), tools/testing/selftests/memfd; observed on 6.18.
local P = mm.PAGE_SIZE
local vma = mm.include("lib/vma.lua")
local p = mm.spawn()

local function sig(f, ...)
	local ok, err = pcall(f, p, ...)
	return ok and "ok" or err:match("SIG%u+") or err:match("^%u+") or err
end

local fd = p:memfd("truncate", 8 * P)
local s = p:mmap{len = 8 * P, fd = fd, flags = "shared"}
local v = p:mmap{len = 8 * P, fd = fd, flags = "private"}
for i = 0, 7 do p:write(s + i * P, string.rep(string.char(0x40 + i), 16)) end
p:write(v + 6 * P, "private copy")		-- CoW: an anonymous page
local _ = p:read(v + 5 * P, 1)			-- maps the cached pages around
local st0 = p:status()
mm.observe("private_present_before", vma.count(p, v, 8, "present"))

p:ftruncate(fd, 2 * P + 100)
local st1 = p:status()
mm.observe("shared_present_past_end", vma.count(p, s + 3 * P, 5, "present"))
mm.observe("private_present_past_end", vma.count(p, v + 3 * P, 5, "present"))
mm.observe("rss_shmem_delta_kb", st1.RssShmem - st0.RssShmem)
mm.observe("rss_anon_delta_kb", st1.RssAnon - st0.RssAnon)
mm.expect_eq(vma.count(p, s + 3 * P, 5, "present") + vma.count(p, v + 3 * P, 5, "present"), 0,
	     "nothing mapped past the end, the private copy neither")
mm.expect_eq(st1.RssAnon - st0.RssAnon, -4, "the private copy is freed")
mm.observe("shared_past_end", sig(p.read, s + 3 * P, 1))
mm.observe("shared_write_past_end", sig(p.write, s + 7 * P, "x"))
mm.observe("private_copy_past_end", sig(p.read, v + 6 * P, 1))
mm.observe("private_past_end", sig(p.touch, v + 5 * P, 1, "w"))
mm.expect_eq(sig(p.read, s + 3 * P, 1), "SIGBUS", "past the end")
mm.expect_eq(sig(p.read, v + 6 * P, 1), "SIGBUS", "the copy past the end")
local last = p:read(s + 2 * P, 16)
mm.observe("last_page_kept", last == string.rep("\x42", 16))
mm.observe("last_page_tail_zero", p:read(s + 2 * P + 100, 8) == string.rep("\0", 8))
mm.expect_eq(p:read(s + 2 * P + 100, 8), string.rep("\0", 8), "the tail reads zero")
mm.observe("page1_kept", p:read(v + P, 1) == "\x41")

p:ftruncate(fd, 8 * P)
mm.observe("grown_reads_zero", p:read(s + 5 * P, 16) == string.rep("\0", 16))
mm.observe("grown_private_zero", p:read(v + 6 * P, 1) == "\0")
mm.expect_eq(p:read(s + 5 * P, 16), string.rep("\0", 16), "the old data is gone")

-- the same size again frees what lies past it: the last page's tail
p:ftruncate(fd, 2 * P + 100)
p:write(s + 2 * P + 200, "past the end")
mm.observe("tail_written", p:read(s + 2 * P + 200, 4))
p:ftruncate(fd, 2 * P + 100)
mm.observe("same_size_zeroes_tail", p:read(s + 2 * P + 200, 4) == "\0\0\0\0")
mm.expect_eq(p:read(s + 2 * P + 200, 4), "\0\0\0\0", "ftruncate to the same size")

p:ftruncate(fd, 0)
mm.observe("to_zero_present", vma.count(p, s, 8, "present") + vma.count(p, v, 8, "present"))
mm.observe("to_zero_access", sig(p.read, s, 1))

local function err(...)
	local ok, e = pcall(p.ftruncate, p, ...)
	return ok and "ok" or e:match("^%u+")
end
local ro = p:reopen(fd, "r")
local sealed = p:memfd("sealed", 4 * P, "allow_sealing")
p:add_seals(sealed, "shrink,grow")
local errs = {
	negative = err(fd, -1),
	read_only_fd = err(ro, P),
	bad_fd = err(60, P),
	sealed_shrink = err(sealed, P),
	sealed_grow = err(sealed, 8 * P),
	sealed_same = err(sealed, 4 * P),
}
for _, k in ipairs{"negative", "read_only_fd", "bad_fd", "sealed_shrink",
		   "sealed_grow", "sealed_same"} do
	mm.observe("err_" .. k, errs[k])
end
mm.expect_eq(errs.negative, "EINVAL", "negative length")
mm.expect_eq(errs.read_only_fd, "EINVAL", "fd not open for writing")
mm.expect_eq(errs.bad_fd, "EBADF", "no such fd")
mm.expect_eq(errs.sealed_shrink, "EPERM", "F_SEAL_SHRINK")
mm.expect_eq(errs.sealed_grow, "EPERM", "F_SEAL_GROW")
mm.expect_eq(errs.sealed_same, "ok", "the same size passes the seals")
