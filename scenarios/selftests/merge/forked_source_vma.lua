-- selftest merge.c forked_source_vma: in a forked child, a faulted VMA made RWX next to an unfaulted RWX mapping does not merge into it
local t = mm.include("../../lib/merge.lua")
local vma = mm.include("../../lib/vma.lua")
local a = t.map(1, 5, "rw", "noreserve")
t.write(a)
local c = t.p:fork()
c:touch(a, 5 * t.P, "w")
local b = c:mmap{addr = t.at(6), len = 5 * t.P, prot = "rwx",
	flags = "private,anonymous,fixed,noreserve"}
local before = vma.span(c, t.carve, b)
c:mprotect(a, 5 * t.P, "rwx")		-- now compatible but for the anon_vma
local after = vma.span(c, t.carve, b)
mm.observe("new_vma", before)
mm.observe("new_vma_after_mprotect", after)
mm.expect_eq(before, "6..11", "incompatible: apart")
mm.expect_eq(after, "6..11", "the forked VMA does not merge")
