-- pageout_swap: MADV_PAGEOUT writes private anonymous pages to swap:
-- pagemap shows swap entries (not present), VmSwap and smaps Swap count
-- them; the next access swaps them back in with their data.  Needs a swap
-- area (mm.swapon; root on the linux backend).
mm.require("swap")
local PAGE = mm.PAGE_SIZE
mm.swapon(64 * mm.MB)
local p = mm.spawn()
local a = p:mmap{len = 64 * PAGE}
p:fill(a, 64 * PAGE, 1234)
p:madvise(a, 64 * PAGE, "pageout")
local swapped = 0
for _, e in ipairs(p:pagemap(a, 64)) do
	if e.swap and not e.present then swapped = swapped + 1 end
end
mm.observe("swapped", swapped)
mm.observe("vmswap_kb", p:status().VmSwap)
mm.observe("smaps_swap_kb", p:smaps(a).Swap)
mm.observe("smaps_rss_kb", p:smaps(a).Rss)
mm.expect_eq(swapped, 64, "all pages swapped out")
mm.expect_eq(p:status().VmSwap, 256, "VmSwap")
mm.expect_eq(p:smaps(a).Swap, 256, "smaps Swap")
mm.observe("data_back", p:verify(a, 64 * PAGE, 1234) == true)
mm.expect_eq(p:verify(a, 64 * PAGE, 1234), true, "swapped back in intact")
mm.observe("present_after", p:pagemap(a).present)
mm.observe("vmswap_after_kb", p:status().VmSwap)
mm.expect(p:pagemap(a).present, "present again")
