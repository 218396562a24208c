-- map_droppable_rules: what MAP_DROPPABLE (6.11+) allows around its one
-- behaviour (reclaim drops the pages, written or not: selftests/mm/
-- droppable.c).  It is a mapping type of its own, anonymous only (a file
-- descriptor is EINVAL), never locked (MAP_LOCKED is EINVAL; mlock leaves
-- it unlocked and uncounted), not reserved, not inherited (a fork child
-- gets it empty, VM_WIPEONFORK), not dumped, and userfaultfd cannot
-- register it (EINVAL).  mm/mmap.c, mm/mlock.c, vma_can_userfault;
-- observed on 6.18.
local P, check = mm.PAGE_SIZE, mm.check
local p = mm.spawn()
local fd = p:memfd("droppable", 4 * P)
check("with_fd", mm.errno(p.mmap, p, {len = 4 * P, flags = "droppable", fd = fd}), "EINVAL")
check("locked", mm.errno(p.mmap, p, {len = 4 * P, flags = "droppable,anonymous,locked"}), "EINVAL")
local d = p:mmap{len = 4 * P, flags = "droppable,anonymous"}
check("vmflags", p:smaps(d).VmFlags, "rd wr mr mw me nr wf dd dp")
p:fill(d, 4 * P, 3)
check("mlock", mm.errno(p.mlock, p, d, 4 * P), "ok")
check("vmlck_kb", p:status().VmLck, 0)
check("locked_flag", p:smaps(d).VmFlags:match("lo") ~= nil, false)
local c = p:fork()
check("child_present", c:pagemap(d).present, false)
check("child_reads_zero", c:read(d, 8), string.rep("\0", 8))
check("parent_keeps", p:verify(d, 4 * P, 3), true)
c:exit()
if mm.has("uffd_wp") then
	check("uffd_register", mm.errno(p.uffd_register, p, d, 4 * P, "missing"), "EINVAL")
end
