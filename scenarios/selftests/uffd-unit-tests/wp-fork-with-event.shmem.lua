-- selftest uffd-unit-tests.c wp-fork-with-event on shmem: a fork child keeps the uffd-wp bits (UFFD_FEATURE_EVENT_FORK), on present and zapped PTEs of shmem
local EVENT = true
mm.require("uffd_wp")
mm.require("uffd_wp_shmem")
mm.require("root")		-- EVENT_FORK needs CAP_SYS_PTRACE
local P, N, check = mm.PAGE_SIZE, 4, mm.check
local p = mm.spawn()
p:uffd_api("event_fork")
local a = p:mmap{len = N * P, flags = "shared", fd = p:memfd("uffd", N * P)}
p:uffd_register(a, N * P, "wp")
-- the child's view of the first page: with EVENT_FORK the child keeps the
-- uffd-wp bit, without it the bit is dropped
local function child_wp(tag)
	local c = p:fork()
	check(tag .. ".child_wp", c:pagemap(a).uffd_wp, EVENT)
	c:exit()
	p:uffd_events()			-- the fork event, if any, is consumed
end
p:touch(a, P, "w")
p:uffd_wp(a, P, true)
check("present.parent_wp", p:pagemap(a).uffd_wp, true)
child_wp("present")
-- zap the PTE (MADV_DONTNEED: shared memory is not paged out from one mapping), so that a marker or swap entry carries the bit
p:madvise(a, P, "dontneed")
check("zapped.parent_wp", p:pagemap(a).uffd_wp, true)
child_wp("zapped")
p:uffd_wp(a, P, false)
check("unprotected.parent_wp", p:pagemap(a).uffd_wp, false)
p:touch(a, P, "w")
check("refaulted.parent_wp", p:pagemap(a).uffd_wp, false)
