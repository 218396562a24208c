-- mlock_populate: mlock(2) marks the range VM_LOCKED (smaps "lo"), counts
-- it in VmLck and faults it in: writable private memory with write faults
-- (every page its own), read-only memory with read faults (the zero page,
-- which smaps does not count, where the kernel has one).  smaps' Locked is
-- the Pss of a locked VMA.  A partial mlock splits the VMA, munlock merges
-- it back and leaves the pages resident.  mlock2(MLOCK_ONFAULT) locks
-- without populating ("lo lf"): pages are locked as they are faulted in.
-- A locked read-only private mapping made writable is populated for
-- writing at once (mprotect).  Observed on 6.18.
local P = mm.PAGE_SIZE
local KB = P // 1024
local zp = mm.has("zero_page")
local p = mm.spawn()
local s0 = p:status()

local a = p:mmap{len = 16 * P}
p:mlock(a + 4 * P, 8 * P)
local s1 = p:status()
local mid = p:smaps(a + 4 * P)
mm.observe("vmlck_delta_kb", s1.VmLck - s0.VmLck)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("locked_vma_pages", (mid["end"] - mid.start) // P)
mm.observe("locked_flags", mid.VmFlags)
mm.observe("locked_rss_kb", mid.Rss)
mm.observe("locked_kb", mid.Locked)
mm.observe("below_locked_kb", p:smaps(a).Locked)
mm.expect_eq(s1.VmLck - s0.VmLck, 8 * KB, "VmLck counts the locked range")
mm.expect_eq(mid.Rss, 8 * KB, "mlock faults the range in")
mm.expect_eq(mid.Locked, mid.Pss, "Locked is the Pss of a locked VMA")
mm.expect(mid.VmFlags:match(" lo ") ~= nil, "VmFlags lo")
mm.expect_eq((mid["end"] - mid.start) // P, 8, "a partial mlock splits the VMA")
local pm = p:pagemap(a + 4 * P, 8)
local excl = 0
for _, e in ipairs(pm) do
	if e.exclusive then excl = excl + 1 end
end
mm.observe("exclusive_pages", excl)

-- munlock: merged back, still resident, no longer locked
p:munlock(a, 16 * P)
local whole = p:smaps(a)
mm.observe("unlocked_vma_pages", (whole["end"] - whole.start) // P)
mm.observe("unlocked_rss_kb", whole.Rss)
mm.observe("unlocked_locked_kb", whole.Locked)
mm.observe("unlocked_vmlck_delta_kb", p:status().VmLck - s0.VmLck)
mm.expect_eq((whole["end"] - whole.start) // P, 16, "munlock merges the VMAs again")
mm.expect_eq(whole.Rss, 8 * KB, "munlock leaves the pages resident")

-- read-only private memory: read faults
local r = p:mmap{len = 4 * P, prot = "r"}
p:mlock(r, 4 * P)
local rs = p:smaps(r)
mm.observe("ro_present", #(function() local t = {}
	for _, e in ipairs(p:pagemap(r, 4)) do if e.present then t[#t + 1] = 1 end end
	return t end)())
mm.observe("ro_rss_kb", rs.Rss)
mm.observe("ro_locked_kb", rs.Locked)
mm.expect_eq(rs.Rss, zp and 0 or 4 * KB, "read faults: the zero page where there is one")
-- made writable while locked: written in at once (CoW broken)
p:mprotect(r, 2 * P, "rw")
local rw = p:smaps(r)
mm.observe("ro_to_rw_rss_kb", rw.Rss)
mm.observe("ro_to_rw_flags", rw.VmFlags)
mm.expect_eq(rw.Rss, 2 * KB, "mprotect populates a locked range made writable")

-- shared memory: read faults fill the page cache
local fd = p:memfd("mlock", 4 * P)
local sh = p:mmap{len = 4 * P, prot = "rw", flags = "shared", fd = fd}
p:mlock(sh, 4 * P)
mm.observe("shared_rss_kb", p:smaps(sh).Rss)
mm.observe("shared_locked_kb", p:smaps(sh).Locked)
mm.observe("rss_shmem_delta_kb", p:status().RssShmem - s0.RssShmem)

-- MLOCK_ONFAULT: locked, not populated; faults lock what they bring
local o = p:mmap{len = 8 * P}
p:mlock(o, 8 * P, "onfault")
local os = p:smaps(o)
mm.observe("onfault_flags", os.VmFlags)
mm.observe("onfault_rss_kb", os.Rss)
p:touch(o, 2 * P, "w")
p:touch(o + 2 * P, P, "r")
os = p:smaps(o)
mm.observe("onfault_touched_rss_kb", os.Rss)
mm.observe("onfault_touched_locked_kb", os.Locked)
mm.expect(os.VmFlags:match(" lo lf ") ~= nil, "VmFlags lo lf")
mm.expect_eq(os.Rss, (zp and 2 or 3) * KB, "only what was touched is resident")
-- plain mlock over an ONFAULT range: lf goes, the rest is faulted in
p:mlock(o, 4 * P)
os = p:smaps(o)
mm.observe("relock_flags", os.VmFlags)
mm.observe("relock_vma_pages", (os["end"] - os.start) // P)
mm.observe("relock_rss_kb", os.Rss)
mm.observe("relock_tail_flags", p:smaps(o + 4 * P).VmFlags)
mm.expect_eq(os.Rss, 4 * KB, "mlock populates what ONFAULT left")

-- MAP_LOCKED: locked and populated by mmap (PROT_NONE too, unpopulated)
local l = p:mmap{len = 4 * P, flags = "private,anonymous,locked"}
-- (it merges with the locked, populated VMA above it)
mm.observe("map_locked_flags", p:smaps(l).VmFlags)
mm.observe("map_locked_vma_pages", (p:smaps(l)["end"] - p:smaps(l).start) // P)
mm.observe("map_locked_rss_kb", p:smaps(l).Rss)
local ln = p:mmap{len = 4 * P, prot = "none", flags = "private,anonymous,locked"}
mm.observe("map_locked_none_flags", p:smaps(ln).VmFlags)
mm.expect_eq(p:smaps(l).Rss, p:smaps(l).Size, "MAP_LOCKED populates")
mm.observe("vmlck_total_delta_kb", p:status().VmLck - s0.VmLck)
