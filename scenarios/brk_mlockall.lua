-- brk_mlockall: under mlockall(MCL_FUTURE) the heap grows locked: the new
-- part is its own VMA ("lo": the unlocked heap below does not merge with
-- it), faulted in by brk and counted in VmLck; with MCL_ONFAULT it is
-- "lo lf" and left empty.  Past RLIMIT_MEMLOCK brk refuses (the old
-- break comes back).  After munlockall the heap grows unlocked again.
-- Observed on 6.18.
local P = mm.PAGE_SIZE
local KB = P // 1024
local p = mm.spawn()

local b0 = p:brk(0)
p:brk(b0 + 2 * P)
local lck0 = p:status().VmLck
p:mlockall("future")
local b1 = p:brk(b0 + 6 * P)
local s = p:smaps(b0 + 2 * P)
mm.observe("locked_grow", b1 == b0 + 6 * P)
mm.observe("locked_part_pages", (s["end"] - s.start) // P)
mm.observe("locked_part_flags", s.VmFlags)
mm.observe("locked_part_rss_kb", s.Rss)
mm.observe("locked_part_locked_kb", s.Locked)
mm.observe("vmlck_delta_kb", p:status().VmLck - lck0)
mm.expect_eq(s.Rss, 4 * KB, "brk populates under MCL_FUTURE")
mm.expect_eq(p:status().VmLck - lck0, 4 * KB, "and counts it in VmLck")
-- growing the locked part merges with it
p:brk(b0 + 8 * P)
s = p:smaps(b0 + 2 * P)
mm.observe("locked_merge_pages", (s["end"] - s.start) // P)
mm.observe("locked_merge_rss_kb", s.Rss)
-- past RLIMIT_MEMLOCK: refused
p:setrlimit("memlock", (p:status().VmLck + 2 * KB) * 1024)
mm.observe("within_limit", p:brk(b0 + 10 * P) == b0 + 10 * P)
mm.observe("past_limit", p:brk(b0 + 11 * P) == b0 + 10 * P)
mm.expect_eq(p:brk(b0 + 11 * P), b0 + 10 * P, "past RLIMIT_MEMLOCK: the old break")
p:setrlimit("memlock", 8 << 20)
-- shrinking leaves VmLck
p:brk(b0 + 6 * P)
mm.observe("shrink_vmlck_delta_kb", p:status().VmLck - lck0)
-- MCL_ONFAULT: locked, not populated
p:mlockall("future,onfault")
p:brk(b0 + 20 * P)
s = p:smaps(b0 + 19 * P)
mm.observe("onfault_flags", s.VmFlags)
mm.observe("onfault_rss_kb", s.Rss)
mm.expect_eq(s.Rss, 0, "MCL_ONFAULT: brk does not populate")
p:munlockall()
p:brk(b0 + 24 * P)
s = p:smaps(b0 + 23 * P)
mm.observe("unlocked_grow_flags", s.VmFlags)
mm.observe("unlocked_grow_rss_kb", s.Rss)
mm.observe("end_vmlck_delta_kb", p:status().VmLck - lck0)
