-- pageout_zero_pages: MADV_PAGEOUT of pages that hold only zeros writes
-- nothing to the device (swpout_zero, observed on 6.18) yet leaves swap
-- entries in the page table; they read back as zeros.
mm.require("swap")
local PAGE = mm.PAGE_SIZE
mm.swapon(16 * mm.MB)
local p = mm.spawn()
local a = p:mmap{len = 32 * PAGE}
p:touch(a, 32 * PAGE, "w")
p:write(a, string.rep("\0", 32 * PAGE))	-- undo touch's marks: all zero
p:madvise(a, 32 * PAGE, "pageout")
local swap = 0
for _, e in ipairs(p:pagemap(a, 32)) do if e.swap then swap = swap + 1 end end
mm.observe("swap_entries", swap)
mm.expect_eq(swap, 32, "swap entries although nothing was written")
mm.observe("zeros_back", p:read(a, 64) == string.rep("\0", 64))
mm.expect_eq(p:read(a, 64), string.rep("\0", 64), "reads zeros")
