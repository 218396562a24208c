-- selftest merge.c forked_target_vma: in a forked child, a faulted VMA (which links its parent's anon_vma) does not merge with a new adjacent mapping, even after every page was unshared
local t = mm.include("../../lib/merge.lua")
local a = t.map(1, 5)
t.write(a)
local c = t.p:fork()
c:touch(a, 5 * t.P, "w")		-- unCoW every page: the anon_vma chain stays
c:mmap{addr = a + 5 * t.P, len = 5 * t.P, flags = "private,anonymous,fixed"}
local got = mm.include("../../lib/vma.lua").span(c, t.carve, a)
mm.observe("child_vma", got)
mm.expect_eq(got, "1..6", "not merged with the new neighbour")
