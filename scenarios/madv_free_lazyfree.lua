-- madv_free_lazyfree: MADV_FREE leaves private anonymous pages mapped, with
-- their data, until reclaim comes; reclaim (here MADV_PAGEOUT) then drops
-- the clean lazyfree pages without writing them (pagemap: nothing; they
-- read back as zeros), while a page written after MADV_FREE is kept with
-- its new data (try_to_unmap_one finds it dirty and sets it swap-backed
-- again).  man 2 madvise; observed on 6.18.
mm.require("swap")
local PAGE = mm.PAGE_SIZE
local N = 16
mm.swapon(64 * mm.MB)
local p = mm.spawn()
local a = p:mmap{len = N * PAGE}
p:fill(a, N * PAGE, 99)
p:madvise(a, N * PAGE, "free")
mm.observe("data_until_reclaim", p:verify(a, N * PAGE, 99) == true)
mm.expect_eq(p:verify(a, N * PAGE, 99), true, "MADV_FREE alone drops nothing")
p:fill(a + PAGE, PAGE, 7)		-- page 1 written after MADV_FREE
p:madvise(a, N * PAGE, "pageout")
local present, swap, none = 0, 0, 0
for _, e in ipairs(p:pagemap(a, N)) do
	if e.present then present = present + 1 end
	if e.swap then swap = swap + 1 end
	if not e.present and not e.swap then none = none + 1 end
end
mm.observe("present", present)
mm.observe("swap", swap)
mm.observe("none", none)
mm.expect_eq(none, N - 1, "clean lazyfree pages dropped")
mm.observe("written_kept", p:verify(a + PAGE, PAGE, 7) == true)
mm.expect_eq(p:verify(a + PAGE, PAGE, 7), true, "the written page keeps its data")
mm.observe("dropped_reads_zero", p:read(a, 64) == string.rep("\0", 64))
mm.expect_eq(p:read(a, 64), string.rep("\0", 64), "a dropped page reads as zeros")
mm.observe("vmswap_kb", p:status().VmSwap)
