-- process_madvise_pageout: one process pages out another's memory
-- (MADV_PAGEOUT through a pidfd, as a userspace memory manager does): the
-- target's own pages go to swap - pagemap swap entries, VmSwap - and come
-- back with their data when it touches them; the caller's pages, and pages
-- the two still share after fork, stay (pageout leaves shared pages
-- alone).  MADV_COLD only deactivates.  Needs a swap area.  mm/madvise.c;
-- observed on 6.18.
mm.require("swap")
local P = mm.PAGE_SIZE
mm.swapon(64 * mm.MB)
local p = mm.spawn()

local vma = mm.include("lib/vma.lua")
local count = vma.count

local a = p:mmap{len = 32 * P}
p:madvise(a, 32 * P, "nohugepage")
p:fill(a, 32 * P, 1)			-- the parent's pages, before fork
local c = p:fork()
c:fill(a, 16 * P, 2)			-- the child's own copies of 16 of them
local swap0 = c:status().VmSwap

mm.observe("cold", p:process_madvise(c, a, 32 * P, "cold"))
mm.observe("cold_swapped", count(c, a, 32, "swap"))
local n = p:process_madvise(c, a, 32 * P, "pageout")
mm.observe("pageout_bytes", n)
mm.observe("child_own_swapped", count(c, a, 16, "swap"))
mm.observe("child_own_present", count(c, a, 16, "present"))
mm.observe("shared_swapped", count(c, a + 16 * P, 16, "swap"))
mm.observe("shared_present", count(c, a + 16 * P, 16, "present"))
mm.observe("child_vmswap_delta_kb", c:status().VmSwap - swap0)
mm.observe("parent_present", count(p, a, 32, "present"))
mm.observe("parent_vmswap_kb", p:status().VmSwap)
mm.expect_eq(n, 32 * P, "the whole range advised")
mm.expect_eq(count(c, a, 16, "swap"), 16, "the child's own pages swapped out")
mm.expect_eq(count(c, a + 16 * P, 16, "present"), 16, "shared pages stay")
mm.expect_eq(c:status().VmSwap - swap0, 64, "VmSwap")
mm.expect_eq(count(p, a, 32, "present"), 32, "the caller's pages stay")
mm.observe("child_data_back", c:verify(a, 16 * P, 2) == true)
mm.expect_eq(c:verify(a, 16 * P, 2), true, "swapped back in intact")
mm.observe("parent_data", p:verify(a, 32 * P, 1) == true)
-- a task of the caller may make the call too
local t = p:thread(1)
c:fill(a, 4 * P, 3)
mm.observe("from_a_task", t:process_madvise(c, a, 4 * P, "pageout"))
-- how many of them go to swap depends on which CPU's LRU add batch holds
-- the pages the child swapped back in (CPU 1's call drains only its own):
-- not compared; the data must survive either way
mm.observe("from_a_task_data", c:verify(a, 4 * P, 3) == true)
