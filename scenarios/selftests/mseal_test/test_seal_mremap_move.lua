-- selftest mseal_test.c test_seal_mremap_move: mremap may not move a sealed VMA to a fixed address (EPERM)
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = P, prot = "r"}
	local dst = p:mmap{len = P, prot = "r"}
	p:munmap(dst, P)
	if seal then check(s .. "mseal", try(p.mseal, p, a, P), "ok") end
	check(s .. "mremap_move", try(p.mremap, p, a, P, P, "maymove,fixed", dst), seal and "EPERM" or "ok")
	p:exit()
end
