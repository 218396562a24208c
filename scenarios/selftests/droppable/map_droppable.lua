-- selftest droppable.c map_droppable: written MAP_DROPPABLE memory is dropped by reclaim (reads back as zeros), not kept or swapped
-- The selftest fills 128 MiB and lets a child eat memory until reclaim
-- takes some of it; here reclaim is asked for directly (MADV_PAGEOUT runs
-- the same shrink_folio_list on just these pages), so the outcome is exact
-- and the run is short.  Plain private memory beside it, also written,
-- stays: with no swap, reclaim has nowhere to put it.
local P, check = mm.PAGE_SIZE, mm.check
local N = 256
local p = mm.spawn()
local d = p:mmap{len = N * P, flags = "droppable,anonymous"}
local a = p:mmap{len = N * P}
check("vmflags", p:smaps(d).VmFlags, "rd wr mr mw me nr wf dd dp")
p:touch(d, N * P, "w")
p:touch(a, N * P, "w")
local vma = mm.include("../../lib/vma.lua")
local function count(addr, what) return vma.count(p, addr, N, what) end
check("written_present", count(d, "present"), N)
p:madvise(d, N * P, "pageout")
p:madvise(a, N * P, "pageout")
check("plain_present", count(a, "present"), N)
check("droppable_present", count(d, "present"), 0)
check("droppable_swapped", count(d, "swap"), 0)
local zeros = 0
for i = 0, N - 1 do
	if p:read(d + i * P, 1) == "\0" then zeros = zeros + 1 end
end
check("droppable_reads_zero", zeros, N)
