-- selftest mseal_test.c test_seal_mremap_expand_fixed: mremap may not move and grow a VMA over a sealed one
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = P, prot = "r"}
	local dst = p:mmap{len = 4 * P, prot = "r"}
	if seal then check(s .. "mseal", try(p.mseal, p, dst, 4 * P), "ok") end
	local ok, r = pcall(p.mremap, p, a, P, 4 * P, "maymove,fixed", dst)
	check(s .. "mremap", ok and (r == dst and "at_dst" or "elsewhere") or r:match("E%u+"), seal and "EPERM" or "at_dst")
	p:exit()
end
