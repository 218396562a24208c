-- selftest mseal_test.c test_munmap_middle_freed: munmap of a range whose first VMA is sealed fails and both VMAs stay
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
local vma = mm.include("../../lib/vma.lua")
local vma_at = vma.pages_at
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	check(s .. "hole", try(p.munmap, p, a + P, 2 * P), "ok")
	if seal then check(s .. "mseal", try(p.mseal, p, a, P), "ok") end
	check(s .. "munmap", try(p.munmap, p, a, 4 * P), seal and "EPERM" or "ok")
	check(s .. "first_pages", vma_at(p, a), seal and 1 or 0)
	check(s .. "last_pages", vma_at(p, a + 3 * P), seal and 1 or 0)
	p:exit()
end
