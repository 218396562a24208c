-- selftest mseal_test.c test_seal_mremap_move_dontunmap: a sealed VMA may not be moved with MREMAP_DONTUNMAP
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	if seal then check(s .. "mseal", try(p.mseal, p, a, 4 * P), "ok") end
	check(s .. "mremap", try(p.mremap, p, a, 4 * P, 4 * P, "maymove,dontunmap"), seal and "EPERM" or "ok")
	p:exit()
end
