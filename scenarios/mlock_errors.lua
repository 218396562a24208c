-- mlock_errors: every error of mlock(2), mlock2(2), munlock(2), mlockall(2)
-- and MAP_LOCKED, in 6.18's order of checks (mm/mlock.c: the flags, then
-- can_do_mlock, then RLIMIT_MEMLOCK against mm->locked_vm less what the
-- range locks already, then apply_vma_lock_flags, then populating), and
-- the calls that look wrong but succeed.  As an ordinary program: no
-- CAP_IPC_LOCK, RLIMIT_MEMLOCK 8 MiB.  Observed on 6.18.
local P = mm.PAGE_SIZE
local vma = mm.include("lib/vma.lua")
local p = mm.spawn()

local res = vma.result
local function try(name, f, ...)
	local ok, r = pcall(f, p, ...)
	mm.observe(name, res(ok, r))
	return ok
end

local m = p:mmap{len = 64 * P}
p:munmap(m, 64 * P)
local function fixed(off, n, prot)
	return p:mmap{addr = m + off * P, len = n * P, prot = prot or "rw",
		      flags = "private,anonymous,fixed"}
end
local a = fixed(0, 8)

-- mlock2's flags, mlockall's flags
mm.expect(not try("mlock2_bad_flag", p.mlock, a, P, 2), "only MLOCK_ONFAULT")
try("mlock2_onfault_and_bad", p.mlock, a, P, 3)
try("mlockall_zero", p.mlockall, 0)
try("mlockall_onfault_alone", p.mlockall, "onfault")
try("mlockall_bad_flag", p.mlockall, 8)
-- ranges: the start is rounded down, the length up; a wrap is EINVAL
try("len_zero", p.mlock, a, 0)
try("unaligned_start", p.mlock, a + 1, P)
mm.expect(not try("wraps", p.mlock, -P, 2 * P), "a range that wraps")
mm.expect(try("munlock_unaligned", p.munlock, a + 1, P), "munlock rounds too")
-- a hole: ENOMEM, after the VMAs before it were locked
fixed(10, 4)
try("starts_in_hole", p.mlock, m + 8 * P, 4 * P)
mm.expect(not try("hole_inside", p.mlock, m + 6 * P, 6 * P), "a hole is ENOMEM")
mm.observe("before_hole_locked", p:smaps(a + 7 * P).VmFlags:match("lo") ~= nil)
try("munlock_hole", p.munlock, m + 6 * P, 6 * P)
mm.observe("munlocked_before_hole", p:smaps(a + 7 * P).VmFlags:match("lo") == nil)
-- populating a PROT_NONE VMA fails (GUP: EFAULT), reported as ENOMEM; the
-- VMA stays locked
local n = fixed(20, 4, "none")
try("prot_none", p.mlock, n, 4 * P)
mm.observe("prot_none_locked", p:smaps(n).VmFlags:match("lo") ~= nil)
mm.expect_eq(p:status().VmLck, 4 * P // 1024, "the PROT_NONE VMA counts in VmLck")
p:munlock(n, 4 * P)
-- a fault that fails while populating: a shared memfd past its end
local fd = p:memfd("mlock", 2 * P)
local f = p:mmap{len = 4 * P, prot = "rw", flags = "shared", fd = fd}
try("sigbus_while_populating", p.mlock, f, 4 * P)
mm.observe("populated_before_sigbus_kb", p:smaps(f).Rss)
p:munlock(f, 4 * P)

-- RLIMIT_MEMLOCK: what the range locks already is not counted twice
p:setrlimit("memlock", 8 * P)
local b = fixed(30, 16)
try("within_limit", p.mlock, b, 8 * P)
mm.expect(try("relock_within_limit", p.mlock, b, 8 * P), "a locked range is not counted twice")
mm.expect(not try("over_limit", p.mlock, b + 8 * P, P), "over RLIMIT_MEMLOCK")
try("over_limit_partly_locked", p.mlock, b + 4 * P, 8 * P)
local ok, err = pcall(p.mmap, p, {len = P, flags = "private,anonymous,locked"})
mm.observe("map_locked_over_limit", res(ok, err))
try("mlockall_current_over_limit", p.mlockall, "current")
try("mlockall_future_ok", p.mlockall, "future")
ok, err = pcall(p.mmap, p, {len = P})
mm.observe("mmap_future_over_limit", res(ok, err))
try("munlockall", p.munlockall)
mm.expect_eq(p:status().VmLck, 0, "munlockall unlocks everything")
-- limit 0: EPERM before anything else (munlock is always allowed)
p:setrlimit("memlock", 0)
mm.expect(not try("limit0_mlock", p.mlock, b, P), "EPERM with limit 0")
try("limit0_mlock_bad_range", p.mlock, m + 8 * P, P)
try("limit0_mlockall", p.mlockall, "future")
try("limit0_mlock2_bad_flag", p.mlock, b, P, 2)
ok, err = pcall(p.mmap, p, {len = P, flags = "private,anonymous,locked"})
mm.observe("limit0_map_locked", res(ok, err))
try("limit0_munlock", p.munlock, b, P)
ok, err = pcall(p.setrlimit, p, "memlock", 1 << 40)
mm.observe("soft_above_hard", res(ok, err))
mm.expect_eq(p:smaps(f).Rss, 2 * P // 1024, "populating stopped at the SIGBUS")
