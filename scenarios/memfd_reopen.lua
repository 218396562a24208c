-- memfd_reopen: the same memfd opened again through /proc/self/fd with
-- another access mode (p:reopen).  From a read-only fd: a MAP_SHARED
-- writable mapping is EACCES; a read-only one sees the file's writes but
-- is private in all but name (VmFlags "ms", not "sh" nor "mw") and never
-- becomes writable (mprotect EACCES); MAP_PRIVATE may write its own
-- copies; ftruncate is EINVAL, fallocate EBADF, F_ADD_SEALS EPERM,
-- F_GET_SEALS works; its mappings do not stand in the way of a write seal.
-- A write-only fd maps nothing (EACCES) but may resize and seal.
-- mm/mmap.c (do_mmap), mm/memfd.c; observed on 6.18.
local P = mm.PAGE_SIZE
local p = mm.spawn()

local function try(name, want, f, ...)
	local ok, r = pcall(f, p, ...)
	local got = ok and "ok" or r:match("SIG%u+") or r:match("^%u+") or r
	mm.observe(name, got)
	mm.expect_eq(got, want, name)
	return ok and r or nil
end

local function flags(a)
	local f = " " .. p:smaps(a).VmFlags .. " "
	return (f:find(" sh ") and "sh" or "") .. (f:find(" ms ") and " ms" or "") ..
	       (f:find(" mw ") and " mw" or "")
end

local fd = p:memfd("reopen", 4 * P, "allow_sealing")
local s = p:mmap{len = 4 * P, fd = fd, flags = "shared"}
p:write(s, "first")
mm.observe("rw_flags", flags(s))
local r = p:reopen(fd, "r")
try("ro_shared_rw", "EACCES", p.mmap, {len = 4 * P, fd = r, flags = "shared"})
try("ro_shared_validate_rw", "EACCES", p.mmap, {len = 4 * P, fd = r,
						  flags = "shared_validate"})
local m = try("ro_shared_ro", "ok", p.mmap, {len = 4 * P, fd = r, flags = "shared",
					      prot = "r"})
mm.observe("ro_reads", p:read(m, 5))
p:write(s, "later")
mm.observe("ro_sees_writes", p:read(m, 5))
mm.expect_eq(p:read(m, 5), "later", "the same file")
mm.observe("ro_flags", flags(m))
mm.expect_eq(flags(m), " ms", "shared in name only")
try("ro_write", "SIGSEGV", p.write, m, "x")
try("ro_mprotect_rw", "EACCES", p.mprotect, m, P, "rw")
try("ro_madv_remove", "EACCES", p.madvise, m, P, "remove")
local v = try("ro_private_rw", "ok", p.mmap, {len = 4 * P, fd = r, flags = "private"})
try("ro_private_write", "ok", p.write, v, "mine!")
mm.observe("file_after_private_write", p:read(s, 5))
mm.expect_eq(p:read(s, 5), "later", "private writes stay private")
mm.observe("ro_get_seals", p:get_seals(r))
try("ro_add_seals", "EPERM", p.add_seals, r, "shrink")
try("ro_ftruncate", "EINVAL", p.ftruncate, r, P)
try("ro_fallocate", "EBADF", p.fallocate, r, "", 0, P)
try("ro_punch", "EBADF", p.fallocate, r, "punch_hole,keep_size", 0, P)
try("ro_punch_no_keep_size", "EOPNOTSUPP", p.fallocate, r, "punch_hole", 0, P)
-- the writable shared mapping blocks a write seal; the read-only fd's do not
try("write_seal_rw_mapped", "EBUSY", p.add_seals, fd, "write")
p:munmap(s, 4 * P)
try("write_seal", "ok", p.add_seals, fd, "write")
mm.observe("ro_still_reads", p:read(m, 5))

local w = p:reopen(fd, "w")
try("wo_shared_ro", "EACCES", p.mmap, {len = 4 * P, fd = w, flags = "shared", prot = "r"})
try("wo_private", "EACCES", p.mmap, {len = 4 * P, fd = w, flags = "private"})
try("wo_ftruncate", "ok", p.ftruncate, w, 8 * P)
try("wo_add_seals", "ok", p.add_seals, w, "grow")
mm.observe("seals_shared_by_the_files", p:get_seals(fd))
mm.expect_eq(p:get_seals(r), "grow,write", "one file, one set of seals")
try("reopen_closed_fd", "ENOENT", p.reopen, 60, "r")
p:close(fd)
mm.observe("after_close_ro_reads", p:read(m, 5))
