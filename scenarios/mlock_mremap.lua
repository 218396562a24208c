-- mlock_mremap: mremap of a locked VMA.  Growing it in place counts the
-- new part in VmLck and faults it in; shrinking uncounts what goes; a move
-- takes the lock along (the new range counted, the old one uncounted as it
-- is unmapped).  MREMAP_DONTUNMAP clears the lock of the old VMA but, as
-- 6.18 does, leaves its pages counted in VmLck.  Growing past
-- RLIMIT_MEMLOCK is EAGAIN.  Observed on 6.18.
local P = mm.PAGE_SIZE
local KB = P // 1024
local p = mm.spawn()

local m = p:mmap{len = 64 * P}
p:munmap(m, 64 * P)
local a = p:mmap{addr = m, len = 4 * P, flags = "private,anonymous,fixed"}
p:fill(a, 4 * P, 3)
p:mlock(a, 4 * P)
local l0 = p:status().VmLck
local function lck() return p:status().VmLck - l0 end

local b = p:mremap(a, 4 * P, 8 * P)
mm.observe("grow_in_place", b == a)
mm.observe("grow_vmlck_delta_kb", lck())
mm.observe("grow_rss_kb", p:smaps(a).Rss)
mm.observe("grow_flags", p:smaps(a).VmFlags)
mm.expect_eq(p:smaps(a).Rss, 8 * KB, "the new part is faulted in")
p:mremap(a, 8 * P, 6 * P)
mm.observe("shrink_vmlck_delta_kb", lck())
local before = p:read(a, 4 * P)
local c = p:mremap(a, 6 * P, 10 * P, "maymove,fixed", m + 32 * P)
mm.observe("move_vmlck_delta_kb", lck())
mm.observe("move_rss_kb", p:smaps(c).Rss)
mm.observe("move_flags", p:smaps(c).VmFlags)
mm.observe("move_data", p:read(c, 4 * P) == before)
mm.expect_eq(lck(), 6 * KB, "a move counts the new range only")
local d = p:mremap(c, 10 * P, 10 * P, "maymove,dontunmap", m + 48 * P)
mm.observe("dontunmap_vmlck_delta_kb", lck())
mm.observe("dontunmap_old_flags", p:smaps(c).VmFlags)
mm.observe("dontunmap_old_rss_kb", p:smaps(c).Rss)
mm.observe("dontunmap_new_flags", p:smaps(d).VmFlags)
mm.observe("dontunmap_new_rss_kb", p:smaps(d).Rss)
-- RLIMIT_MEMLOCK: growing past it is EAGAIN
p:setrlimit("memlock", (p:status().VmLck + 2 * KB) * 1024)
local e = p:mmap{addr = m + 16 * P, len = 2 * P, flags = "private,anonymous,fixed"}
p:mlock(e, P)
local ok, err = pcall(p.mremap, p, e, P, 4 * P, "maymove")
mm.observe("grow_past_limit", ok and "ok" or err:match("^%u+"))
mm.expect(not ok, "growing a locked VMA past RLIMIT_MEMLOCK")
