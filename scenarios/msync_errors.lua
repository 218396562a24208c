-- msync_errors: msync(2) and every error it returns: EINVAL for unknown
-- flags, an unaligned address, sync with async (checked before anything
-- else); ENOMEM for a range that wraps or runs over a hole - at once for
-- async alone, after the mapped parts otherwise.  A length of 0 is fine
-- anywhere.  On shmem and anonymous memory msync, invalidate included,
-- changes nothing a process can see (mm/msync.c; shmem's fsync is a no-op).
-- EBUSY (invalidate over locked memory) needs mlock, not modelled yet.
-- Observed on 6.18.
local P = mm.PAGE_SIZE
local p = mm.spawn()

local function try(name, want, ...)
	local ok, r = pcall(p.msync, p, ...)
	local got = ok and "ok" or r:match("^%u+") or r
	mm.observe(name, got)
	mm.expect_eq(got, want, name)
end

local m = p:mmap{len = 64 * P}
p:munmap(m, 64 * P)
local a = p:mmap{addr = m, len = 4 * P, flags = "private,anonymous,fixed"}
local fd = p:memfd("msync", 4 * P)
local s = p:mmap{addr = m + 8 * P, len = 4 * P, fd = fd, flags = "shared,fixed"}
local v = p:mmap{addr = m + 16 * P, len = 4 * P, fd = fd, flags = "private,fixed"}
local hole = m + 32 * P

try("unknown_flag", "EINVAL", a, P, 8)
try("unaligned", "EINVAL", a + 1, P, "sync")
try("sync_and_async", "EINVAL", a, P, "sync,async")
try("unaligned_bad_flag", "EINVAL", a + 1, P, 8)
try("unaligned_in_hole", "EINVAL", hole + 1, P, "sync")
try("len_0", "ok", a, 0, "sync")
try("len_0_in_hole", "ok", hole, 0, "sync")
try("hole_sync", "ENOMEM", hole, P, "sync")
try("hole_async", "ENOMEM", hole, P, "async")
try("hole_invalidate", "ENOMEM", hole, P, "invalidate")
try("hole_no_flag", "ENOMEM", hole, P, "")
try("wrapping_length", "ENOMEM", a, -P, "sync")
try("starts_in_hole_async", "ENOMEM", a - P, 2 * P, "async")
try("starts_in_hole_sync", "ENOMEM", a - P, 2 * P, "sync")
try("across_hole_sync", "ENOMEM", a, 12 * P, "sync")
try("across_hole_invalidate", "ENOMEM", a, 12 * P, "invalidate")
try("ends_in_hole", "ENOMEM", s, 8 * P, "sync")
try("anon_sync", "ok", a, 4 * P, "sync")
try("anon_invalidate", "ok", a, 4 * P, "async,invalidate")
try("shared_sync", "ok", s, 4 * P, "sync")
try("shared_async", "ok", s, 4 * P, "async")
try("shared_sync_invalidate", "ok", s, 4 * P, "sync,invalidate")
try("shared_no_flag", "ok", s, 4 * P, "")
try("unaligned_length", "ok", s, 100, "sync")

-- nothing changes
p:fill(a, 4 * P, 1)
p:fill(s, 4 * P, 2)
p:write(v + P, "copy")
local _ = p:read(v + 2 * P, 1)
local st0, sm0 = p:status(), p:smaps(v).Rss
p:msync(a, 4 * P, "sync,invalidate")
p:msync(s, 4 * P, "sync,invalidate")
p:msync(v, 4 * P, "async,invalidate")
local st1 = p:status()
mm.observe("rss_anon_delta_kb", st1.RssAnon - st0.RssAnon)
mm.observe("rss_shmem_delta_kb", st1.RssShmem - st0.RssShmem)
mm.observe("private_rss_delta_kb", p:smaps(v).Rss - sm0)
mm.observe("anon_data", p:verify(a, 4 * P, 1) == true)
mm.observe("shared_data", p:verify(s, 4 * P, 2) == true)
mm.observe("private_copy", p:read(v + P, 4))
mm.expect_eq(st1.RssShmem - st0.RssShmem, 0, "invalidate drops no page")
mm.expect_eq(p:verify(s, 4 * P, 2), true, "the data stays")
mm.expect_eq(p:read(v + P, 4), "copy", "a private copy stays")
local t = p:thread(1)
local ok, r = pcall(t.msync, t, s, 4 * P, "sync,invalidate")
mm.observe("from_a_task", ok and "ok" or r)
mm.expect(ok, "a Task calls msync")

-- MS_INVALIDATE over locked memory: EBUSY (mlock'd VMAs), MS_SYNC alone is fine
local lk = p:mmap{len = 4 * P, flags = "private,anonymous,locked"}
local ok2, e2 = pcall(p.msync, p, lk, 4 * P, "invalidate")
mm.observe("invalidate_locked", ok2 and "ok" or e2:match("^E%u+"))
mm.expect(not ok2 and e2:match("^EBUSY"), "invalidate of locked memory: EBUSY")
ok2, e2 = pcall(p.msync, p, lk, 4 * P, "sync")
mm.observe("sync_locked", ok2 and "ok" or e2:match("^E%u+"))
mm.expect(ok2, "MS_SYNC of locked memory is fine")
