-- status_peaks: /proc/PID/status keeps the peaks: VmPeak, the largest
-- VmSize, and VmHWM, the largest VmRSS.  Both stay when the address space
-- or RSS shrinks; clear_refs 5 resets VmHWM to the RSS of the moment.  An
-- mremap move maps both ranges for a moment, but that is no peak.  The
-- kernel reads RSS for VmHWM from its per-CPU counters, which may lag by
-- some dozens of pages: RSS figures are observed in MiB, rounded.
-- Observed on 6.18.
local P = mm.PAGE_SIZE
local MB = 1 << 20
local p = mm.spawn()
local function mib(kb)
	return math.floor(kb / 1024 + 0.5)
end

local s0 = p:status()
local a = p:mmap{len = 4 * MB}
local s1 = p:status()
mm.observe("vmpeak_after_mmap_kb", s1.VmPeak - s0.VmPeak)
mm.expect_eq(s1.VmPeak - s0.VmPeak, 4096, "VmPeak follows VmSize up")
p:touch(a, 4 * MB, "w")
local s2 = p:status()
mm.observe("hwm_after_touch_mib", mib(s2.VmHWM - s0.VmRSS))
p:madvise(a, 4 * MB, "dontneed")
local s3 = p:status()
mm.observe("rss_after_dontneed_mib", mib(s3.VmRSS - s0.VmRSS))
mm.observe("hwm_after_dontneed_mib", mib(s3.VmHWM - s0.VmRSS))
mm.expect_eq(mib(s3.VmHWM - s0.VmRSS), 4, "VmHWM stays when RSS goes down")
p:touch(a, 2 * MB, "w")
p:munmap(a, 4 * MB)
local s4 = p:status()
mm.observe("vmsize_after_munmap_kb", s4.VmSize - s0.VmSize)
mm.observe("vmpeak_after_munmap_kb", s4.VmPeak - s0.VmPeak)
mm.observe("hwm_after_munmap_mib", mib(s4.VmHWM - s0.VmRSS))
mm.expect_eq(s4.VmPeak - s0.VmPeak, 4096, "VmPeak stays")

-- clear_refs 5: the peak RSS is reset to what there is now
p:clear_refs(5)
local s5 = p:status()
mm.observe("hwm_minus_rss_after_reset_mib", mib(s5.VmHWM - s5.VmRSS))
mm.expect_eq(mib(s5.VmHWM - s5.VmRSS), 0, "clear_refs 5 resets VmHWM")
local b = p:mmap{len = 2 * MB}
p:touch(b, 2 * MB, "w")
local s6 = p:status()
mm.observe("hwm_after_new_touch_mib", mib(s6.VmHWM - s5.VmRSS))

-- an mremap move: the old and the new range exist together for a moment
local c = p:mmap{len = 8 * MB}
local s7 = p:status()
local d = p:mremap(c, 8 * MB, 8 * MB, "maymove,fixed", c - 16 * MB)
local s8 = p:status()
mm.observe("move_vmpeak_delta_kb", s8.VmPeak - s7.VmPeak)
mm.observe("move_vmsize_delta_kb", s8.VmSize - s7.VmSize)
mm.expect_eq(s8.VmPeak, s7.VmPeak, "a move is no peak")
p:munmap(d, 8 * MB)
