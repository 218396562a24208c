-- selftest mseal_test.c test_seal_mprotect_partial_mprotect: mprotect of two pages fails when the first is sealed
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	if seal then check(s .. "mseal", try(p.mseal, p, a, P), "ok") end
	check(s .. "mprotect", try(p.mprotect, p, a, 2 * P, "rw"), seal and "EPERM" or "ok")
	p:exit()
end
