-- drop_caches_slab: writing 2 to /proc/sys/vm/drop_caches runs the
-- shrinkers; the THP deferred split shrinker splits every partly unmapped
-- THP on its queue (its unmapped pages freed, the rest stay mapped with
-- their data).  vmstat drop_slab counts the write; nr_anon_partially_mapped
-- falls by the folios split.  The file is write-only (reading it fails with
-- EACCES, for root too) and takes 1 to 4 (0: EINVAL; a stock 6.18 refuses
-- 5 too, but some patched kernels take more bits, so 5 is not observed).
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local STATS = THP .. "hugepages-2048kB/stats/"
local DROP = "/proc/sys/vm/drop_caches"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")

local p = mm.spawn()
local m = p:mmap{len = 3 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 3 * PMD, "hugepage")
p:fill(a, 2 * PMD, 5)
mm.expect_eq(p:smaps(a).AnonHugePages, 2 * 2048, "two THPs")
-- the first THP partly unmapped: queued; the second stays whole
p:madvise(a, 64 * PAGE, "dontneed")
local partial0 = tonumber(mm.get(STATS .. "nr_anon_partially_mapped"))
local v0 = mm.vmstat()
mm.set(DROP, 2)
local v1 = mm.vmstat()
local partial1 = tonumber(mm.get(STATS .. "nr_anon_partially_mapped"))
mm.observe("drop_slab", v1.drop_slab - v0.drop_slab)
mm.observe("drop_pagecache", v1.drop_pagecache - v0.drop_pagecache)
mm.expect_eq(v1.drop_slab - v0.drop_slab, 1, "drop_slab counts the write")
-- other processes' THPs may be queued on a real machine: at least ours
mm.observe("ours_split", v1.thp_split_page - v0.thp_split_page >= 1)
mm.observe("partially_mapped_fell", partial1 < partial0)
mm.expect(partial1 < partial0, "the queued folio left the queue")
local s = p:smaps(a)
mm.observe("anon_huge_kb", s.AnonHugePages)
mm.observe("rss_kb", s.Rss)
mm.expect_eq(s.AnonHugePages, 2048, "the whole THP stays huge")
mm.expect_eq(s.Rss, 2 * 2048 - 64 * 4, "the unmapped pages were freed")
mm.expect_eq(p:verify(a + 64 * PAGE, 2 * PMD - 64 * PAGE, 5), true, "data kept")

local function try_set(v)
	local ok, err = pcall(mm.set, DROP, v)
	return ok and "ok" or tostring(err):match("E%u+") or tostring(err)
end
local function try_get()
	local ok, err = pcall(mm.get, DROP)
	return ok and "read" or tostring(err):match("E%u+") or tostring(err)
end
mm.observe("read", try_get())
mm.observe("write_0", try_set(0))
mm.observe("write_4", try_set(4))
