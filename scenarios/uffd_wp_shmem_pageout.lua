-- uffd_wp_shmem_pageout: MADV_PAGEOUT of write-protected shmem replaces
-- the PTE by a uffd-wp marker (try_to_unmap_one ->
-- pte_install_uffd_wp_if_needed), so the page, once swapped back in, is
-- still protected.  An unprotected paged-out shmem page shows nothing in
-- pagemap (no PM_SWAP for shmem upstream).  Observed on 6.18.  Needs a
-- swap area (root on linux).
mm.require("swap")
mm.require("uffd_wp_shmem")
local PAGE = mm.PAGE_SIZE
mm.swapon(64 * mm.MB)
local p = mm.spawn()
local fd = p:memfd("wppageout", 4 * PAGE)
local s = p:mmap{len = 4 * PAGE, fd = fd, flags = "shared"}
p:fill(s, 4 * PAGE, 77)
p:uffd_register(s, 4 * PAGE, "wp")
p:uffd_wp(s, 2 * PAGE, true)
p:madvise(s, 4 * PAGE, "pageout")
local e0, e2 = p:pagemap(s), p:pagemap(s + 2 * PAGE)
mm.observe("protected_raw", string.format("0x%x", e0.raw))
mm.observe("unprotected_raw", string.format("0x%x", e2.raw))
mm.expect_eq(e0.raw, 0x420000000000003f, "a uffd-wp marker")
mm.expect_eq(e2.raw, 0, "nothing for an unprotected paged-out page")
mm.observe("smaps_swap_kb", p:smaps(s).Swap)
mm.expect_eq(p:verify(s, 4 * PAGE, 77), true, "swapped back in intact")
local nread = #p:uffd_events()
mm.observe("read_events", nread)
mm.expect_eq(nread, 0, "reads do not fault")
local e = p:pagemap(s)
mm.observe("after_swapin_present", e.present)
mm.observe("after_swapin_wp", e.uffd_wp)
mm.expect(e.present and e.uffd_wp, "swapped in, still protected")
p:write(s + PAGE, "w")
p:write(s + 2 * PAGE, "w")
local ev = p:uffd_events()
mm.observe("write_events", #ev)
mm.expect_eq(#ev, 1, "only the protected page faults")
if ev[1] then
	mm.observe("event_page", (ev[1].addr - s) // PAGE)
	mm.expect_eq(ev[1].kind, "wp", "a wp fault")
end
