-- guard_maybe_flag: 6.18's MADV_GUARD_INSTALL marks every VMA it visits
-- VM_MAYBE_GUARD (smaps "gu"), the whole VMA without a split.  The flag is
-- sticky: MADV_GUARD_REMOVE leaves it (and alone does not set it), fork and
-- split copy it, it does not keep VMAs from merging and the merged VMA has
-- it.  A range over a hole sets it on the VMAs on both sides and fails with
-- ENOMEM.  Shared and private memfd mappings get it too.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()

local errno = mm.errno
local function gu(proc, addr)
	return (" " .. proc:smaps(addr).VmFlags .. " "):find(" gu ", 1, true) ~= nil
end
local function check(name, got, want, what)
	mm.observe(name, got)
	mm.expect_eq(got, want, what)
end

local a = p:mmap{len = 8 * PAGE}
p:fill(a, 8 * PAGE, 2)
p:madvise(a + 2 * PAGE, PAGE, "guard_install")
check("install.gu", gu(p, a + 7 * PAGE), true, "the whole VMA is flagged")
check("install.kb", p:smaps(a).Size, 32, "no split")
p:madvise(a + 2 * PAGE, PAGE, "guard_remove")
check("remove.gu", gu(p, a), true, "guard_remove leaves the flag")
local c = p:fork()
check("child.gu", gu(c, a), true, "fork copies the flag")
c:exit()
p:mprotect(a + 4 * PAGE, 2 * PAGE, "r")
check("split_lo.gu", gu(p, a), true, "split: lower part flagged")
check("split_mid.gu", gu(p, a + 4 * PAGE), true, "split: middle flagged")
check("split_hi.gu", gu(p, a + 6 * PAGE), true, "split: upper part flagged")
p:mprotect(a + 4 * PAGE, 2 * PAGE, "rw")
check("remerged.kb", p:smaps(a).Size, 32, "the parts merge again")
check("remerged.gu", gu(p, a), true, "and keep the flag")

-- a plain neighbour merges with a flagged VMA, above and below
local b = p:mmap{len = 4 * PAGE, addr = a + 8 * PAGE, flags = "private,anonymous,fixed"}
check("above.kb", p:smaps(b).Size, 48, "a plain VMA above merges")
check("above.gu", gu(p, b), true, "the merged VMA is flagged")
local d = p:mmap{len = 4 * PAGE, addr = a - 4 * PAGE, flags = "private,anonymous,fixed"}
check("below.kb", p:smaps(d).Size, 64, "a plain VMA below merges")
check("below.gu", gu(p, d), true, "the merged VMA is flagged")
mm.expect_eq(p:verify(a, 2 * PAGE, 2), true, "contents below the guard kept")
mm.expect_eq(p:verify(a + 3 * PAGE, 5 * PAGE, 2), true, "contents above the guard kept")

-- guard_remove alone does not set it (read-only: no merge with the above)
local f = p:mmap{len = 4 * PAGE, prot = "r"}
p:madvise(f, 4 * PAGE, "guard_remove")
check("remove_only.gu", gu(p, f), false, "guard_remove alone sets nothing")

-- over a hole: both VMAs flagged, ENOMEM
local e = p:mmap{len = 4 * PAGE, prot = "rx"}
p:munmap(e + 2 * PAGE, PAGE)
check("hole.errno", errno(p.madvise, p, e, 4 * PAGE, "guard_install"), "ENOMEM", "over a hole")
check("hole_lo.gu", gu(p, e), true, "VMA before the hole flagged")
check("hole_hi.gu", gu(p, e + 3 * PAGE), true, "VMA after the hole flagged")
check("hole_lo.guard", p:pagemap(e + PAGE).guard, true, "markers installed before the hole")

-- shmem and private memfd mappings
local fd = p:memfd("g", 4 * PAGE)
local ms = p:mmap{len = 4 * PAGE, fd = fd, flags = "shared"}
p:madvise(ms, PAGE, "guard_install")
check("memfd_shared.gu", gu(p, ms), true, "a shared memfd mapping is flagged")
local mp = p:mmap{len = 4 * PAGE, fd = fd, flags = "private"}
p:madvise(mp, PAGE, "guard_install")
check("memfd_private.gu", gu(p, mp), true, "a private memfd mapping is flagged")
local c2 = p:fork()
check("child_memfd_shared.gu", gu(c2, ms), true, "fork copies it on shmem")
check("child_memfd_private.guard", c2:pagemap(mp).guard, true, "the child has the marker")
c2:exit()
