-- mlock_pageout_swap: locked pages stay in memory: MADV_PAGEOUT refuses a
-- locked VMA (EINVAL).  munlock makes the pages evictable again (off the
-- unevictable LRU): MADV_PAGEOUT then writes them to swap.  mlock faults
-- them back in from swap with their data; MLOCK_ONFAULT leaves them in
-- swap until they are touched.  Needs a swap area (root on linux).
-- Observed on 6.18.
mm.require("swap")
local P = mm.PAGE_SIZE
local KB = P // 1024
mm.swapon(64 * mm.MB)
local p = mm.spawn()

local function swapped(addr, n)
	local c = 0
	for _, e in ipairs(p:pagemap(addr, n)) do
		if e.swap and not e.present then c = c + 1 end
	end
	return c
end

local a = p:mmap{len = 32 * P}
p:fill(a, 32 * P, 99)
p:mlock(a, 32 * P)
local ok, err = pcall(p.madvise, p, a, 32 * P, "pageout")
mm.observe("pageout_locked", ok and "ok" or err:match("^%u+"))
mm.observe("locked_swapped", swapped(a, 32))
mm.expect(not ok, "MADV_PAGEOUT refuses a locked VMA")

p:munlock(a, 32 * P)
p:madvise(a, 32 * P, "pageout")
mm.observe("unlocked_swapped", swapped(a, 32))
mm.observe("unlocked_vmswap_kb", p:status().VmSwap)
mm.expect_eq(swapped(a, 32), 32, "munlocked pages can be paged out")

-- mlock brings them back
p:mlock(a, 16 * P)
mm.observe("relocked_swapped", swapped(a, 16))
mm.observe("relocked_locked_kb", p:smaps(a).Locked)
mm.observe("relocked_data", p:verify(a, 16 * P, 99) == true)
mm.expect_eq(swapped(a, 16), 0, "mlock swaps the range in")
mm.expect_eq(p:verify(a, 16 * P, 99), true, "with its data")
-- ONFAULT leaves them in swap until touched
p:mlock(a + 16 * P, 16 * P, "onfault")
mm.observe("onfault_swapped", swapped(a + 16 * P, 16))
p:touch(a + 16 * P, 4 * P, "r")
mm.observe("onfault_touched_swapped", swapped(a + 16 * P, 16))
mm.observe("onfault_locked_kb", p:smaps(a + 16 * P).Locked)
mm.observe("onfault_data", p:verify(a + 16 * P, 16 * P, 99) == true)
