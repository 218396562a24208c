-- shmem_uffd_wp_marker: write-protecting shmem with userfaultfd and then
-- zapping the page leaves a PTE marker so the protection survives: pagemap
-- reads it as a swap entry with uffd_wp (observed on 6.18: raw
-- 0x420000000000003f, marker swap type 31).
mm.require("uffd_wp_shmem")
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local fd = p:memfd("wp", 4 * PAGE)
local s = p:mmap{len = 4 * PAGE, fd = fd, flags = "shared"}
p:touch(s, 4 * PAGE, "w")
p:uffd_register(s, 4 * PAGE, "wp")
p:uffd_wp(s, 4 * PAGE, true)
p:madvise(s, PAGE, "dontneed")
local e = p:pagemap(s)
mm.observe("present", e.present)
mm.observe("swap", e.swap)
mm.observe("uffd_wp", e.uffd_wp)
mm.observe("raw", string.format("0x%x", e.raw))
mm.expect(not e.present and e.swap and e.uffd_wp, "a uffd-wp marker")
mm.expect_eq(e.raw, 0x420000000000003f, "marker encoding")
-- the next write is still caught
p:touch(s, 1, "w")
local ev = p:uffd_events()
mm.observe("wp_events", #ev)
mm.expect_eq(#ev, 1, "the marker kept the protection")
