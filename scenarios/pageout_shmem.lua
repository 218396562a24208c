-- pageout_shmem: MADV_PAGEOUT of a shmem (memfd) mapping writes its pages
-- to swap.  Upstream pagemap shows nothing for them (no PM_SWAP for shmem:
-- the PTEs are simply zapped; the PTE-marker RFC's PAGEOUT markers were never merged),
-- yet smaps Swap counts them (shmem_swap_usage); RssShmem drops.  The next
-- access brings the data back.  Observed on 6.18.  Needs a swap area
-- (mm.swapon; root on the linux backend).
mm.require("swap")
local PAGE = mm.PAGE_SIZE
local N = 32
mm.swapon(64 * mm.MB)
local p = mm.spawn()
local fd = p:memfd("pageout_shmem", N * PAGE)
local a = p:mmap{len = N * PAGE, flags = "shared", fd = fd}
p:fill(a, N * PAGE, 4321)
local rss0 = p:status().RssShmem
mm.observe("smaps_rss_before_kb", p:smaps(a).Rss)
p:madvise(a, N * PAGE, "pageout")
local present, swap, none = 0, 0, 0
for _, e in ipairs(p:pagemap(a, N)) do
	if e.present then present = present + 1 end
	if e.swap then swap = swap + 1 end
	if not e.present and not e.swap then none = none + 1 end
end
mm.observe("present", present)
mm.observe("swap_bit", swap)
mm.observe("none", none)
mm.expect_eq(none, N, "pagemap shows nothing for paged-out shmem")
mm.expect_eq(swap, 0, "no PM_SWAP for shmem upstream")
mm.observe("smaps_swap_kb", p:smaps(a).Swap)
mm.observe("smaps_rss_kb", p:smaps(a).Rss)
mm.observe("rss_shmem_delta_kb", p:status().RssShmem - rss0)
mm.observe("vmswap_kb", p:status().VmSwap)
mm.expect_eq(p:smaps(a).Swap, N * 4, "smaps Swap counts the shmem pages")
mm.expect_eq(p:status().VmSwap, 0, "VmSwap counts swap PTEs only")
mm.observe("data_back", p:verify(a, N * PAGE, 4321) == true)
mm.expect_eq(p:verify(a, N * PAGE, 4321), true, "data intact after refault")
mm.observe("present_after", p:pagemap(a).present)
mm.observe("smaps_swap_after_kb", p:smaps(a).Swap)
