-- selftest mseal_test.c test_seal_mremap_expand: mremap may not grow a sealed VMA in place (EPERM)
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	check(s .. "room", try(p.munmap, p, a + 2 * P, 2 * P), "ok")
	if seal then check(s .. "mseal", try(p.mseal, p, a, 2 * P), "ok") end
	local ok, r = pcall(p.mremap, p, a, 2 * P, 4 * P)
	check(s .. "mremap_expand", ok and (r == a and "in_place" or "moved") or r:match("E%u+"),
	      seal and "EPERM" or "in_place")
	p:exit()
end
