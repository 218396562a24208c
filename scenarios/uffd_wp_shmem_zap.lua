-- uffd_wp_shmem_zap: userfaultfd write-protection of shmem is kept in PTE
-- markers wherever no page is mapped: UFFDIO_WRITEPROTECT of empty PTEs
-- installs them, and zapping a protected PTE (MADV_DONTNEED, hole punching
-- with MADV_REMOVE) leaves one, so the next write is still a wp fault
-- (zap_install_uffd_wp_if_needed; selftests/mm/uffd-unit-tests.c
-- "wp-unpopulated" and "pagemap").  Observed on 6.18: the marker reads
-- 0x420000000000003f (swap type 31, marker bit UFFD_WP).
mm.require("uffd_wp_shmem")
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local fd = p:memfd("wpzap", 4 * PAGE)
local s = p:mmap{len = 4 * PAGE, fd = fd, flags = "shared"}
p:write(s + 3 * PAGE, "c")             -- page 3 populated, 0-2 empty
p:uffd_register(s, 4 * PAGE, "wp")
p:uffd_wp(s, 4 * PAGE, true)
local e = p:pagemap(s)
mm.observe("empty_marker", string.format("0x%x", e.raw))
mm.expect_eq(e.raw, 0x420000000000003f, "wp on an empty PTE is a marker")
mm.observe("populated_wp", p:pagemap(s + 3 * PAGE).uffd_wp)
mm.expect(p:pagemap(s + 3 * PAGE).present and p:pagemap(s + 3 * PAGE).uffd_wp,
	"a mapped page is protected in its PTE")
-- write through the marker: one wp event, then the write lands
p:write(s, "a")
local ev = p:uffd_events()
mm.observe("empty_write_events", #ev)
mm.expect_eq(#ev, 1, "a write through a marker faults")
mm.expect_eq(p:read(s, 1), "a", "the write completed")
-- MADV_DONTNEED of protected pages: markers, the data stays in the file
p:write(s + PAGE, "b")                 -- resolved: page 1 faults once
p:uffd_events()
p:uffd_wp(s, 4 * PAGE, true)
p:madvise(s, 4 * PAGE, "dontneed")
local dn = 0
for _, x in ipairs(p:pagemap(s, 4)) do
	if x.raw == 0x420000000000003f then dn = dn + 1 end
end
mm.observe("dontneed_markers", dn)
mm.expect_eq(dn, 4, "every zapped protected PTE became a marker")
mm.expect_eq(p:read(s + PAGE, 1), "b", "data kept in the page cache")
mm.observe("dontneed_read_events", #p:uffd_events())
p:write(s + 3 * PAGE, "C")
ev = p:uffd_events()
mm.observe("dontneed_write_events", #ev)
mm.expect_eq(#ev, 1, "protection kept through MADV_DONTNEED")
-- hole punch: the page is freed, the protection is not
p:uffd_wp(s, 4 * PAGE, true)
p:madvise(s, 2 * PAGE, "remove")
local e0 = p:pagemap(s)
mm.observe("remove_marker", string.format("0x%x", e0.raw))
mm.expect_eq(e0.raw, 0x420000000000003f, "a marker after MADV_REMOVE")
mm.expect_eq(p:read(s, 1), "\0", "the hole reads zero")
mm.observe("remove_read_events", #p:uffd_events())
p:write(s, "z")
ev = p:uffd_events()
mm.observe("remove_write_events", #ev)
mm.expect_eq(#ev, 1, "protection kept through hole punching")
mm.expect_eq(p:read(s, 1), "z", "the write completed")
