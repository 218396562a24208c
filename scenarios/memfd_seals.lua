-- memfd_seals: F_ADD_SEALS / F_GET_SEALS on memfds and what each seal
-- refuses.  Without allow_sealing a memfd is born sealed ("seal");
-- noexec_seal gives "exec" and allows sealing.  "write" needs every
-- MAP_SHARED mapping from a writable fd gone - a read-only one too, since
-- mprotect could make it writable (EBUSY) - and then refuses a shared
-- writable mmap (EPERM) and lets a shared read-only one never become
-- writable (mprotect EACCES); "future_write" leaves the mappings that
-- exist writable.  "exec" on an executable memfd implies every write and
-- size seal.  A hole punch (fallocate, MADV_REMOVE) is EPERM under a write
-- seal.  tools/testing/selftests/memfd/memfd_test.c, mm/memfd.c; observed
-- on 6.18.
local P = mm.PAGE_SIZE
local p = mm.spawn()

local function try(name, want, f, ...)
	local ok, r = pcall(f, p, ...)
	local got = ok and "ok" or r:match("^%u+") or r
	mm.observe(name, got)
	mm.expect_eq(got, want, name)
	return ok and r or nil
end

-- creation flags and the seals' own errors
local fd = p:memfd("sealable", 4 * P, "allow_sealing")
local plain = p:memfd("plain", 4 * P)
local noexec = p:memfd("noexec", 4 * P, "noexec_seal")
mm.observe("seals_allow_sealing", p:get_seals(fd))
mm.observe("seals_plain", p:get_seals(plain))
mm.observe("seals_noexec", p:get_seals(noexec))
mm.expect_eq(p:get_seals(plain), "seal", "born sealed")
mm.expect_eq(p:get_seals(noexec), "exec", "noexec_seal")
try("plain_add", "EPERM", p.add_seals, plain, "shrink")
try("unknown_bit", "EINVAL", p.add_seals, fd, 0x40)
try("no_seal_at_all", "ok", p.add_seals, fd, 0)
try("get_bad_fd", "EBADF", p.get_seals, 60)
try("add_bad_fd", "EBADF", p.add_seals, 60, "grow")
try("memfd_unknown_flag", "EINVAL", p.memfd, "x", 0, 0x40)
try("memfd_exec_and_noexec", "EINVAL", p.memfd, "x", 0, "exec,noexec_seal")
try("memfd_name_250", "EINVAL", p.memfd, string.rep("n", 250), 0)
try("noexec_add", "ok", p.add_seals, noexec, "shrink,exec")
mm.observe("seals_noexec_after", p:get_seals(noexec))
mm.expect_eq(p:get_seals(noexec), "shrink,exec", "exec implies nothing on mode 0666")
local ex = p:memfd("exec", 0, "allow_sealing,exec")
try("exec_add", "ok", p.add_seals, ex, "exec")
mm.observe("seals_exec_implied", p:get_seals(ex))
mm.expect_eq(p:get_seals(ex), "shrink,grow,write,future_write,exec", "exec implies")

-- write: EBUSY while a shared mapping may write
local s = p:mmap{len = 4 * P, fd = fd, flags = "shared"}
p:write(s, "file data")
try("write_with_shared_rw", "EBUSY", p.add_seals, fd, "write")
try("exec_with_shared_rw", "EBUSY", p.add_seals, fd, "exec")
mm.observe("seals_after_ebusy", p:get_seals(fd))
p:munmap(s, 4 * P)
local r = p:mmap{len = 4 * P, fd = fd, flags = "shared", prot = "r"}
try("write_with_shared_ro", "EBUSY", p.add_seals, fd, "write")
p:munmap(r, 4 * P)
local v = p:mmap{len = 4 * P, fd = fd, flags = "private"}
p:write(v, "private copy")
try("write_with_private", "ok", p.add_seals, fd, "write")
mm.observe("seals_write", p:get_seals(fd))
try("mmap_shared_rw", "EPERM", p.mmap, {len = 4 * P, fd = fd, flags = "shared"})
r = try("mmap_shared_ro", "ok", p.mmap, {len = 4 * P, fd = fd, flags = "shared", prot = "r"})
mm.observe("shared_ro_flags", p:smaps(r).VmFlags)
mm.observe("shared_ro_reads_file", p:read(r, 9))
try("mprotect_rw", "EACCES", p.mprotect, r, P, "rw")
try("madv_remove_ro", "EACCES", p.madvise, r, P, "remove")
local v2 = try("mmap_private_rw", "ok", p.mmap, {len = 4 * P, fd = fd, flags = "private"})
try("private_write", "ok", p.write, v2, "mine")
mm.observe("file_unchanged", p:read(r, 9))
mm.expect_eq(p:read(r, 9), "file data", "private writes stay private")
try("punch", "EPERM", p.fallocate, fd, "punch_hole,keep_size", 0, P)
try("allocate", "ok", p.fallocate, fd, "", 0, 8 * P)
try("shrink", "ok", p.ftruncate, fd, 2 * P)

-- future_write: existing writable mappings go on writing
local f = p:memfd("future", 4 * P, "allow_sealing")
local w = p:mmap{len = 4 * P, fd = f, flags = "shared"}
local ro = p:mmap{len = 4 * P, fd = f, flags = "shared", prot = "r"}
try("future_write_with_maps", "ok", p.add_seals, f, "future_write")
mm.observe("seals_future", p:get_seals(f))
try("old_map_writes", "ok", p.write, w, "still")
mm.observe("seen_by_other", p:read(ro, 5))
try("old_ro_map_mprotect", "ok", p.mprotect, ro, P, "rw")
try("future_mmap_shared_rw", "EPERM", p.mmap, {len = 4 * P, fd = f, flags = "shared"})
local ro2 = p:mmap{len = 4 * P, fd = f, flags = "shared", prot = "r"}
try("future_new_ro_mprotect", "EACCES", p.mprotect, ro2, P, "rw")
try("future_private_rw", "ok", p.mmap, {len = 4 * P, fd = f, flags = "private"})
try("future_punch", "EPERM", p.fallocate, f, "punch_hole,keep_size", 0, P)
try("future_madv_remove", "EPERM", p.madvise, w, P, "remove")
try("future_then_write_seal", "EBUSY", p.add_seals, f, "write")

-- seal: no more seals
try("seal", "ok", p.add_seals, f, "seal,shrink")
mm.observe("seals_sealed", p:get_seals(f))
try("after_seal", "EPERM", p.add_seals, f, "grow")
try("after_seal_nothing", "EPERM", p.add_seals, f, "")
try("sealed_shrink", "EPERM", p.ftruncate, f, P)
