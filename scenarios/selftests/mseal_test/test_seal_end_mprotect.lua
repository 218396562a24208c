-- selftest mseal_test.c test_seal_end_mprotect: sealed last three pages refuse mprotect, the first page does not
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	if seal then check(s .. "mseal", try(p.mseal, p, a + P, 3 * P), "ok") end
	check(s .. "mprotect_first", try(p.mprotect, p, a, P, "rw"), "ok")
	check(s .. "mprotect_rest", try(p.mprotect, p, a + P, 3 * P, "rw"), seal and "EPERM" or "ok")
	p:exit()
end
