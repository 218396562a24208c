-- thp_deferred_split: when a THP becomes partly unmapped (munmap or
-- MADV_DONTNEED of part of it) the kernel does not split the folio at
-- once; it queues it on the deferred split list (deferred_split_folio:
-- vmstat thp_deferred_split_page +1, per-size stats split_deferred +1 and
-- nr_anon_partially_mapped +1), to be split by the shrinker under memory
-- pressure.  Unmapping more of a queued folio queues nothing new; when the
-- last mapping goes the folio is freed and leaves the queue
-- (nr_anon -1, nr_anon_partially_mapped -1).  A whole-PMD munmap frees the
-- THP without queueing it (observed on 6.18).
-- The per-size counters are machine-wide files under
-- /sys/kernel/mm/transparent_hugepage/hugepages-2048kB/stats/, read with
-- mm.get (read-only knobs in the model's table).
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local STATS = THP .. "hugepages-2048kB/stats/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")

local function snap()
	local v = mm.vmstat()
	return {
		deferred = v.thp_deferred_split_page,
		split_page = v.thp_split_page,
		split_deferred = tonumber(mm.get(STATS .. "split_deferred")),
		partial = tonumber(mm.get(STATS .. "nr_anon_partially_mapped")),
		nr_anon = tonumber(mm.get(STATS .. "nr_anon")),
	}
end
local function delta(x, y, k) return y[k] - x[k] end

local p = mm.spawn()
local m = p:mmap{len = 4 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 4 * PMD, "hugepage")
p:fill(a, 3 * PMD, 11)
mm.expect_eq(p:smaps(a).AnonHugePages, 3 * 2048, "three THPs to start with")

-- 1. one page of THP 1 unmapped: queued
local t0 = snap()
p:munmap(a + 10 * PAGE, PAGE)
local t1 = snap()
mm.observe("munmap_deferred_split_page", delta(t0, t1, "deferred"))
mm.observe("munmap_split_deferred", delta(t0, t1, "split_deferred"))
mm.observe("munmap_partially_mapped", delta(t0, t1, "partial"))
mm.observe("munmap_split_page", delta(t0, t1, "split_page"))
mm.observe("munmap_nr_anon", delta(t0, t1, "nr_anon"))
mm.expect_eq(delta(t0, t1, "deferred"), 1, "queued for deferred split")
mm.expect_eq(delta(t0, t1, "split_deferred"), 1, "per-size split_deferred")
mm.expect_eq(delta(t0, t1, "partial"), 1, "partially mapped")
mm.expect_eq(delta(t0, t1, "split_page"), 0, "not split yet")
mm.expect_eq(delta(t0, t1, "nr_anon"), 0, "the folio stays")

-- 2. another page of the same folio: already queued
p:munmap(a + 20 * PAGE, PAGE)
local t2 = snap()
mm.observe("again_deferred_split_page", delta(t1, t2, "deferred"))
mm.expect_eq(delta(t1, t2, "deferred"), 0, "queued once")

-- 3. the rest of THP 1: the folio is freed and leaves the queue
p:munmap(a, PMD)
local t3 = snap()
mm.observe("rest_partially_mapped", delta(t2, t3, "partial"))
mm.observe("rest_nr_anon", delta(t2, t3, "nr_anon"))
mm.expect_eq(delta(t2, t3, "partial"), -1, "off the queue")
mm.expect_eq(delta(t2, t3, "nr_anon"), -1, "freed")

-- 4. the whole of THP 2: freed, never queued
p:munmap(a + PMD, PMD)
local t4 = snap()
mm.observe("whole_deferred_split_page", delta(t3, t4, "deferred"))
mm.observe("whole_nr_anon", delta(t3, t4, "nr_anon"))
mm.expect_eq(delta(t3, t4, "deferred"), 0, "whole THP: no deferred split")
mm.expect_eq(delta(t3, t4, "nr_anon"), -1, "freed")

-- 5. MADV_DONTNEED of one page of THP 3: queued as well
p:madvise(a + 2 * PMD + 5 * PAGE, PAGE, "dontneed")
local t5 = snap()
mm.observe("dontneed_deferred_split_page", delta(t4, t5, "deferred"))
mm.observe("dontneed_partially_mapped", delta(t4, t5, "partial"))
mm.expect_eq(delta(t4, t5, "deferred"), 1, "queued for deferred split")
mm.expect_eq(delta(t4, t5, "partial"), 1, "partially mapped")
mm.expect_eq(p:verify(a + 2 * PMD + 6 * PAGE, 506 * PAGE, 11), true, "data kept")
