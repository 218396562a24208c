-- uffd_wp_anon_swap: anonymous userfaultfd write-protection survives
-- pageout in the swap PTE (_PAGE_SWP_UFFD_WP: pagemap swap + uffd_wp) and
-- comes back with the page at swap-in; the first write after swap-in is a
-- wp fault.  Observed on 6.18.  Needs a swap area (root on linux).
mm.require("swap")
mm.require("uffd_wp")
local PAGE = mm.PAGE_SIZE
mm.swapon(64 * mm.MB)
local p = mm.spawn()
local a = p:mmap{len = 4 * PAGE}
p:fill(a, 4 * PAGE, 55)
p:uffd_register(a, 4 * PAGE, "wp")
p:uffd_wp(a, 3 * PAGE, true)
p:madvise(a, 4 * PAGE, "pageout")
local wp, swapped = 0, 0
for _, e in ipairs(p:pagemap(a, 4)) do
	if e.swap and not e.present then swapped = swapped + 1 end
	if e.uffd_wp then wp = wp + 1 end
end
mm.observe("swapped", swapped)
mm.observe("swapped_wp", wp)
mm.expect_eq(swapped, 4, "all paged out")
mm.expect_eq(wp, 3, "the protected ones keep uffd_wp in the swap PTE")
-- page 0: swap-in by a read keeps the protection, no event
mm.expect_eq(p:verify(a, PAGE, 55), true, "swap-in by a read")
local e = p:pagemap(a)
mm.observe("swapin_present", e.present)
mm.observe("swapin_wp", e.uffd_wp)
mm.expect(e.present and e.uffd_wp, "present and still protected")
local nread = #p:uffd_events()
mm.observe("read_events", nread)
mm.expect_eq(nread, 0, "a read is no wp fault")
p:write(a, "r")
local ev = p:uffd_events()
mm.observe("write_events", #ev)
mm.expect_eq(#ev, 1, "then the write is a wp fault")
-- page 1: a write straight into the swap entry: swap-in, then wp fault
p:write(a + PAGE, "s")
ev = p:uffd_events()
mm.observe("swapped_write_events", #ev)
mm.expect_eq(#ev, 1, "a write to a protected swap entry faults")
if ev[1] then mm.observe("swapped_write_page", (ev[1].addr - a) // PAGE) end
mm.expect_eq(p:read(a + PAGE, 1), "s", "the write completed")
-- page 3 was not protected
p:write(a + 3 * PAGE, "t")
local nun = #p:uffd_events()
mm.observe("unprotected_events", nun)
mm.expect_eq(nun, 0, "no event for the unprotected page")
