-- selftest mseal_test.c test_seal_mmap_expand: mmap(MAP_FIXED) over a sealed VMA and the hole after it fails with EPERM
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 12 * P, prot = "r"}
	check(s .. "hole", try(p.munmap, p, a + 8 * P, 4 * P), "ok")
	if seal then check(s .. "mseal", try(p.mseal, p, a, 8 * P), "ok") end
	check(s .. "mmap_fixed", try(p.mmap, p, {len = 12 * P, prot = "r", addr = a, flags = "private,anonymous,fixed"}),
	      seal and "EPERM" or "ok")
	p:exit()
end
