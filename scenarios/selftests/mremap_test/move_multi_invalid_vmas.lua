-- selftest mremap_test.c move_multi_invalid_vmas: a move of several VMAs fails with EFAULT at the first VMA registered with userfaultfd, moving the VMAs before it and none after; a single such VMA moves
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 10 * P}
local tgt = p:mmap{len = 10 * P, prot = "none"}
p:munmap(tgt, 10 * P)
for i = 0, 8, 2 do
	p:uffd_register(a + i * P, P, "missing")
	p:munmap(a + (i + 1) * P, P)
end
local function mapped(i) return vma.span(p, tgt, tgt + i * P) ~= "none" end
local function try_all() return vma.try(p.mremap, p, a, 10 * P, 10 * P, "maymove,fixed", tgt) end
local r1 = try_all()
mm.observe("all_registered", r1 .. (mapped(0) and " first moved" or " none moved"))
local r2 = vma.try(p.mremap, p, a, P, P, "maymove,fixed", tgt)
mm.observe("single_registered", r2)
p:munmap(tgt, P)
p:mmap{addr = a, len = P, flags = "private,anonymous,fixed"}	-- not registered
local r3 = try_all()
mm.observe("first_unregistered", r3 .. (mapped(0) and " first moved" or " none moved"))
p:munmap(tgt, P)
p:munmap(a, 8 * P)
for i = 0, 6, 2 do p:mmap{addr = a + i * P, len = P, flags = "private,anonymous,fixed"} end
local r4 = try_all()
local moved = {}
for i = 0, 8, 2 do moved[#moved + 1] = mapped(i) and "y" or "n" end
mm.observe("last_registered", r4 .. " " .. table.concat(moved))
mm.expect_eq(r1, "EFAULT", "a registered first VMA fails the move")
mm.expect(not mapped(8), "the registered VMA did not move")
mm.expect_eq(r2, "ok", "one registered VMA alone moves")
mm.expect_eq(r3, "EFAULT", "the move stops at the registered VMA")
mm.expect_eq(r4 .. " " .. table.concat(moved), "EFAULT yyyyn", "all but the last moved")
