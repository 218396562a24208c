-- mlock_madvise_fork: advice that would drop or reclaim pages refuses a
-- VM_LOCKED VMA with EINVAL (MADV_DONTNEED, MADV_FREE, MADV_COLD,
-- MADV_PAGEOUT; GUARD_INSTALL and REMOVE too), after the VMAs before it
-- were advised; MADV_DONTNEED_LOCKED zaps it (GUARD_REMOVE is allowed:
-- it removes markers only).  A fork child does not
-- inherit the lock: its copy of the VMA is not "lo", VmLck is 0, and it
-- may page out what it maps (the parent's locked pages are shared, and
-- MADV_PAGEOUT passes over shared pages).  Observed on 6.18.
local P = mm.PAGE_SIZE
local vma = mm.include("lib/vma.lua")
local KB = P // 1024
local p = mm.spawn()

local res = vma.result

local a = p:mmap{len = 8 * P}
p:mlock(a, 8 * P)
for _, adv in ipairs{"dontneed", "free", "cold", "pageout", "guard_install",
		     "guard_remove", "willneed", "hugepage", "dontfork"} do
	local ok, err = pcall(p.madvise, p, a, 8 * P, adv)
	mm.observe(adv, res(ok, err))
end
mm.expect_eq(p:smaps(a).Rss, 8 * KB, "nothing was dropped")
-- an unlocked VMA first: it is advised, then the locked one refuses
local u = p:mmap{len = 4 * P}
p:touch(u, 4 * P, "w")
local ok, err = pcall(p.madvise, p, u, 8 * P, "dontneed")
mm.observe("unlocked_then_locked", res(ok, err))
mm.observe("unlocked_part_rss_kb", p:smaps(u).Rss)
mm.expect(u + 4 * P == a, "u lies below a")
mm.expect_eq(p:smaps(u).Rss, 0, "the unlocked VMA before the locked one was zapped")
p:madvise(a, 8 * P, "dofork")

-- fork: the child's VMA is not locked
local c = p:fork()
local cs = c:smaps(a)
mm.observe("child_flags", cs.VmFlags)
mm.observe("child_locked_kb", cs.Locked)
mm.observe("child_rss_kb", cs.Rss)
mm.observe("child_vmlck_kb", c:status().VmLck)
mm.observe("parent_vmlck_kb", p:status().VmLck)
mm.expect(cs.VmFlags:match(" lo ") == nil, "the child does not inherit VM_LOCKED")
mm.expect_eq(c:status().VmLck, 0, "nor VmLck")
ok, err = pcall(c.madvise, c, a, 8 * P, "pageout")
mm.observe("child_pageout", res(ok, err))
mm.observe("child_rss_after_pageout_kb", c:smaps(a).Rss)
ok, err = pcall(c.madvise, c, a, 8 * P, "dontneed")
mm.observe("child_dontneed", res(ok, err))
mm.observe("child_rss_after_dontneed_kb", c:smaps(a).Rss)
mm.observe("parent_rss_kb", p:smaps(a).Rss)
c:exit()

-- MADV_DONTNEED_LOCKED: the locked pages go; the VMA stays locked
p:madvise(a, 4 * P, "dontneed_locked")
local s = p:smaps(a)
mm.observe("dontneed_locked_rss_kb", s.Rss)
mm.observe("dontneed_locked_flags", s.VmFlags)
mm.expect_eq(s.Rss, 4 * KB, "DONTNEED_LOCKED zaps locked pages")
p:touch(a, P, "w")
mm.observe("refault_rss_kb", p:smaps(a).Rss)
