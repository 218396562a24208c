-- selftest mseal_test.c test_seal_mremap_move_fixed_zero: a sealed VMA may not be moved to a fixed low address
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	-- The selftest moves to address 0 (CAP_SYS_RAWIO); a plain process's
	-- lowest mappable address, vm.mmap_min_addr (4096 here), checks the same.
	local low = 0x1000
	local a = p:mmap{len = 4 * P, prot = "r"}
	if seal then check(s .. "mseal", try(p.mseal, p, a, 4 * P), "ok") end
	local ok, r = pcall(p.mremap, p, a, 4 * P, 2 * P, "maymove,fixed", low)
	check(s .. "mremap", ok and (r == low and "at_low" or "elsewhere") or r:match("E%u+"), seal and "EPERM" or "at_low")
	p:exit()
end
