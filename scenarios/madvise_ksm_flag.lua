-- madvise_ksm_flag: MADV_MERGEABLE / MADV_UNMERGEABLE (CONFIG_KSM=y,
-- ksm_madvise).  MERGEABLE sets VM_MERGEABLE (smaps "mg") on a private VMA,
-- splitting it as any flag change does, PROT_NONE, read-only and a private
-- memfd mapping included; a shared mapping (memfd or anonymous) is left as
-- it is and the call still succeeds.  UNMERGEABLE clears the flag, and the
-- parts merge again.  An unmapped range or one over a hole is ENOMEM, a zero
-- length 0, as for the other advice.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()

local errno = mm.errno
local function has(flags, name)
	return (" " .. flags .. " "):find(" " .. name .. " ", 1, true) ~= nil
end

local a = p:mmap{len = 8 * PAGE}
p:fill(a, 8 * PAGE, 3)
local r = errno(p.madvise, p, a + 2 * PAGE, 2 * PAGE, "mergeable")
mm.observe("mergeable", r)
mm.expect_eq(r, "ok", "MADV_MERGEABLE succeeds")
local mid = p:smaps(a + 2 * PAGE)
mm.observe("mid_kb", mid.Size)
mm.observe("mid_mg", has(mid.VmFlags, "mg"))
mm.observe("lo_kb", p:smaps(a).Size)
mm.observe("lo_mg", has(p:smaps(a).VmFlags, "mg"))
mm.expect_eq(mid.Size, 8, "the advised range is a VMA of its own")
mm.expect(has(mid.VmFlags, "mg"), "VM_MERGEABLE shown as mg")
mm.expect(not has(p:smaps(a).VmFlags, "mg"), "the rest is not mergeable")
mm.expect_eq(p:verify(a, 8 * PAGE, 3), true, "contents unchanged")
r = errno(p.madvise, p, a + 2 * PAGE, 2 * PAGE, "unmergeable")
mm.observe("unmergeable", r)
mm.observe("after_unmerge_kb", p:smaps(a).Size)
mm.observe("after_unmerge_mg", has(p:smaps(a).VmFlags, "mg"))
mm.expect_eq(r, "ok", "MADV_UNMERGEABLE succeeds")
mm.expect_eq(p:smaps(a).Size, 32, "the VMAs merge again")
mm.expect(not has(p:smaps(a).VmFlags, "mg"), "flag cleared")

-- which mappings take the flag
local fd = p:memfd("ksm", 4 * PAGE)
local kinds = {
	none = {p:mmap{len = 4 * PAGE, prot = "none"}, true},
	ro = {p:mmap{len = 4 * PAGE, prot = "r"}, true},
	memfd_private = {p:mmap{len = 4 * PAGE, fd = fd, flags = "private"}, true},
	memfd_shared = {p:mmap{len = 4 * PAGE, fd = fd, flags = "shared"}, false},
	memfd_shared_ro = {p:mmap{len = 4 * PAGE, fd = fd, flags = "shared", prot = "r"}, false},
	shared_anon = {p:mmap{len = 4 * PAGE, flags = "shared,anonymous"}, false},
}
for _, k in ipairs({"none", "ro", "memfd_private", "memfd_shared", "memfd_shared_ro", "shared_anon"}) do
	local addr, want = kinds[k][1], kinds[k][2]
	local e = errno(p.madvise, p, addr, 4 * PAGE, "mergeable")
	local mg = has(p:smaps(addr).VmFlags, "mg")
	mm.observe(k .. ".errno", e)
	mm.observe(k .. ".mg", mg)
	mm.expect_eq(e, "ok", k .. ": MADV_MERGEABLE succeeds")
	mm.expect_eq(mg, want, k .. ": VM_MERGEABLE only where KSM may work")
	e = errno(p.madvise, p, addr, 4 * PAGE, "unmergeable")
	mm.observe(k .. ".unmerge", e)
	mm.expect_eq(e, "ok", k .. ": MADV_UNMERGEABLE succeeds")
	mm.expect(not has(p:smaps(addr).VmFlags, "mg"), k .. ": flag cleared")
end

-- errors as for the other advice
local h = p:mmap{len = 8 * PAGE}
p:munmap(h + 4 * PAGE, PAGE)
for _, adv in ipairs({"mergeable", "unmergeable"}) do
	local e1 = errno(p.madvise, p, h + 4 * PAGE, PAGE, adv)
	local e2 = errno(p.madvise, p, h + 3 * PAGE, 3 * PAGE, adv)
	local e3 = errno(p.madvise, p, h, 0, adv)
	local e4 = errno(p.madvise, p, h + 1, PAGE, adv)
	mm.observe(adv .. ".unmapped", e1)
	mm.observe(adv .. ".hole", e2)
	mm.observe(adv .. ".len0", e3)
	mm.observe(adv .. ".unaligned", e4)
	mm.expect_eq(e1, "ENOMEM", adv .. ": unmapped")
	mm.expect_eq(e2, "ENOMEM", adv .. ": over a hole")
	mm.expect_eq(e3, "ok", adv .. ": zero length")
	mm.expect_eq(e4, "EINVAL", adv .. ": unaligned")
end
-- the VMA before the hole was advised all the same
mm.observe("hole_lo_mg", has(p:smaps(h + 3 * PAGE).VmFlags, "mg"))
mm.observe("hole_hi_mg", has(p:smaps(h + 5 * PAGE).VmFlags, "mg"))
