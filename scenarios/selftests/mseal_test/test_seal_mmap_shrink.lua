-- selftest mseal_test.c test_seal_mmap_shrink: mmap(MAP_FIXED) over part of a sealed VMA fails with EPERM
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 12 * P, prot = "r"}
	if seal then check(s .. "mseal", try(p.mseal, p, a, 12 * P), "ok") end
	check(s .. "mmap_fixed", try(p.mmap, p, {len = 8 * P, prot = "r", addr = a, flags = "private,anonymous,fixed"}),
	      seal and "EPERM" or "ok")
	p:exit()
end
