-- selftest mseal_test.c test_munmap_end_freed: munmap of a sealed VMA and the hole after it fails
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	check(s .. "hole", try(p.munmap, p, a + 3 * P, P), "ok")
	if seal then check(s .. "mseal", try(p.mseal, p, a, 3 * P), "ok") end
	check(s .. "munmap", try(p.munmap, p, a, 4 * P), seal and "EPERM" or "ok")
	p:exit()
end
