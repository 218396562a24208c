-- mremap_uffd_guard: what a move keeps of the entries' extra state.  A VMA
-- registered with userfaultfd for wp (no UFFD_FEATURE_EVENT_REMAP) is not
-- registered at its new place (mremap_userfaultfd_prep): the moved pages
-- lose their wp bit, a shmem range its wp markers, and a write there
-- faults no more to userfaultfd.  Guard markers move with the range.
-- Observed on 6.18.
local P = mm.PAGE_SIZE
local p = mm.spawn()
local m = p:mmap{len = 256 * P}
p:munmap(m, 256 * P)

-- anonymous, write-protected
local u = p:mmap{addr = m, len = 4 * P, flags = "private,anonymous,fixed"}
p:touch(u, 4 * P, "w")
p:uffd_register(u, 4 * P, "wp")
p:uffd_wp(u, 4 * P, true)
mm.observe("anon_wp_before", p:pagemap(u).uffd_wp)
mm.observe("anon_uw_before", p:smaps(u).VmFlags:find("uw") ~= nil)
local nu = p:mremap(u, 4 * P, 4 * P, "maymove,fixed", m + 20 * P)
mm.observe("anon_wp_after", p:pagemap(nu).uffd_wp)
mm.expect_eq(p:pagemap(nu).uffd_wp, false, "wp does not follow the move")
mm.observe("anon_present_after", p:pagemap(nu).present)
mm.observe("anon_uw_after", p:smaps(nu).VmFlags:find("uw") ~= nil)
p:touch(nu, P, "w")
mm.observe("anon_events", #p:uffd_events())

-- shmem, write-protected holes and pages: markers
local fd = p:memfd("wp", 8 * P)
local sh = p:mmap{addr = m + 40 * P, len = 4 * P, fd = fd, flags = "shared,fixed"}
p:touch(sh, P, "w")
p:uffd_register(sh, 4 * P, "wp")
p:uffd_wp(sh, 4 * P, true)
mm.observe("shmem_page_wp_before", p:pagemap(sh).uffd_wp)
mm.observe("shmem_marker_before", p:pagemap(sh + P).uffd_wp)
local nsh = p:mremap(sh, 4 * P, 4 * P, "maymove,fixed", m + 60 * P)
mm.observe("shmem_page_wp_after", p:pagemap(nsh).uffd_wp)
mm.observe("shmem_marker_after", p:pagemap(nsh + P).uffd_wp)
mm.observe("shmem_uw_after", p:smaps(nsh).VmFlags:find("uw") ~= nil)

-- guard markers
local g = p:mmap{addr = m + 80 * P, len = 4 * P, flags = "private,anonymous,fixed"}
p:touch(g, 4 * P, "w")
p:madvise(g + P, P, "guard_install")
local ng = p:mremap(g, 4 * P, 4 * P, "maymove,fixed", m + 100 * P)
mm.observe("guard_after", p:pagemap(ng + P).guard)
mm.expect_eq(p:pagemap(ng + P).guard, true, "the guard marker moved")
mm.observe("guard_neighbour_present", p:pagemap(ng).present)
mm.observe("guard_flag_after", p:smaps(ng).VmFlags:find("gu") ~= nil)
local ok, err = pcall(p.touch, p, ng + P, 1, "w")
mm.observe("guard_access", ok and "ok" or err:match("SIGSEGV") or err)
-- moved page by page into a misaligned place as well
local ng2 = p:mremap(ng, 4 * P, 4 * P, "maymove,fixed", m + 150 * P)
mm.observe("guard_after_second", p:pagemap(ng2 + P).guard)
