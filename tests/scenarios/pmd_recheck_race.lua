-- pmd_recheck_race: faults racing page-table reclaim, for the
-- deterministic scheduler (model only).  CPU 1 writes pages of a 2 MiB
-- range while CPU 0 drops the whole range with MADV_DONTNEED, which frees
-- the emptied PTE table (page-table reclaim on zap).  A fault that found
-- the table before it was unlinked must see, once it holds the table's
-- lock, that the PMD no longer points to it, and start again
-- (pte_offset_map_lock's recheck).  With debug/skip_pmd_recheck = 1 (a
-- deliberate bug, argument "skip") it writes into the detached table: the
-- write is lost, which the model reports when the table is freed.
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
mm.set("/sys/kernel/mm/mmlab/debug/skip_pmd_recheck", mm.args[1] == "skip" and 1 or 0)
local p = mm.spawn()
local t1 = p:thread(1)
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 2 * PMD, "nohugepage")
p:touch(a, PMD, "w")
mm.parallel{
	{t1, "touch", a, 8 * PAGE, "w", rep = 3},
	{p, "madvise", a, PMD, "dontneed", rep = 2},
}
-- what CPU 1 wrote last is there, or the range was dropped after it
local ok = p:read(a, 1)
mm.expect(ok == "\0" or ok == string.char(((a >> 12) & 0xff) | 1),
	  "the first page holds CPU 1's byte or zero")
