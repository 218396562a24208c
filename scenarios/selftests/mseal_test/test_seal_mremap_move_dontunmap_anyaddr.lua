-- selftest mseal_test.c test_seal_mremap_move_dontunmap_anyaddr: a sealed VMA may not be moved with MREMAP_DONTUNMAP to a chosen free address
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	if seal then check(s .. "mseal", try(p.mseal, p, a, 4 * P), "ok") end
	local free = p:mmap{len = 4 * P, prot = "r"}
	p:munmap(free, 4 * P)
	local ok, r = pcall(p.mremap, p, a, 4 * P, 4 * P, "maymove,dontunmap", free)
	check(s .. "mremap", ok and (r == free and "at_free" or "elsewhere") or r:match("E%u+"), seal and "EPERM" or "at_free")
	p:exit()
end
