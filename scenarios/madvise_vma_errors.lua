-- madvise_vma_errors: errors that depend on the VMA's flags.
-- MADV_REMOVE needs a shared mapping that may be written (VM_SHARED and
-- VM_MAYWRITE, vma_is_shared_maywrite), not VM_WRITE: a read-only
-- MAP_SHARED mapping of a memfd opened for writing punches the hole.
-- MADV_POPULATE_READ/WRITE are EINVAL where the VMA's protection refuses
-- the access (PROT_NONE, read-only, write-only or exec-only for a read),
-- EFAULT where the fault fails (beyond the end of a memfd, a guard marker),
-- ENOMEM over a hole after populating what comes before it.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()

local errno = mm.errno

local fd = p:memfd("rm", 8 * PAGE)
local w = p:mmap{len = 8 * PAGE, fd = fd, flags = "shared"}
p:fill(w, 8 * PAGE, 7)
local ro = p:mmap{len = 8 * PAGE, fd = fd, flags = "shared", prot = "r"}
local r = errno(p.madvise, p, ro + 2 * PAGE, 2 * PAGE, "remove")
mm.observe("remove_shared_ro", r)
mm.expect_eq(r, "ok", "MADV_REMOVE on a read-only shared mapping")
local zero = p:read(w + 2 * PAGE, 2 * PAGE) == string.rep("\0", 2 * PAGE)
mm.observe("removed_reads_zero", zero)
mm.expect(zero, "the hole reads zero in every mapping")
mm.expect_eq(p:verify(w, 2 * PAGE, 7), true, "the rest is kept")
local pr = p:mmap{len = 8 * PAGE, fd = fd, flags = "private"}
r = errno(p.madvise, p, pr, PAGE, "remove")
mm.observe("remove_private", r)
mm.expect_eq(r, "EACCES", "MADV_REMOVE on a private mapping")
local anon = p:mmap{len = 4 * PAGE}
r = errno(p.madvise, p, anon, PAGE, "remove")
mm.observe("remove_anon", r)
mm.expect_eq(r, "EINVAL", "MADV_REMOVE without a file")

local want = {
	none = {"EINVAL", "EINVAL"}, r = {"ok", "EINVAL"}, w = {"EINVAL", "ok"},
	x = {"EINVAL", "EINVAL"}, rx = {"ok", "EINVAL"}, rw = {"ok", "ok"},
}
for _, prot in ipairs({"none", "r", "w", "x", "rx", "rw"}) do
	local a = p:mmap{len = 4 * PAGE, prot = prot}
	local pr_r = errno(p.madvise, p, a, 4 * PAGE, "populate_read")
	local pr_w = errno(p.madvise, p, a, 4 * PAGE, "populate_write")
	mm.observe(prot .. ".populate_read", pr_r)
	mm.observe(prot .. ".populate_write", pr_w)
	mm.expect_eq(pr_r, want[prot][1], prot .. ": populate_read")
	mm.expect_eq(pr_w, want[prot][2], prot .. ": populate_write")
end
r = errno(p.madvise, p, ro, PAGE, "populate_write")
mm.observe("shared_ro.populate_write", r)
mm.expect_eq(r, "EINVAL", "populate_write of a read-only shared mapping")

local big = p:mmap{len = 16 * PAGE, fd = fd, flags = "shared"}
r = errno(p.madvise, p, big, 16 * PAGE, "populate_read")
mm.observe("beyond_eof", r)
mm.expect_eq(r, "EFAULT", "beyond the end of the memfd: SIGBUS, EFAULT")
local g = p:mmap{len = 4 * PAGE}
p:madvise(g + PAGE, PAGE, "guard_install")
r = errno(p.madvise, p, g, 4 * PAGE, "populate_write")
mm.observe("guard", r)
mm.expect_eq(r, "EFAULT", "a guard marker: SIGSEGV, EFAULT")
local h = p:mmap{len = 8 * PAGE}
p:munmap(h + 4 * PAGE, PAGE)
r = errno(p.madvise, p, h, 8 * PAGE, "populate_read")
mm.observe("hole", r)
mm.expect_eq(r, "ENOMEM", "over a hole")
local present = true
for _, e in ipairs(p:pagemap(h, 4)) do present = present and e.present end
mm.observe("before_hole_present", present)
mm.expect(present, "the pages before the hole were populated")
