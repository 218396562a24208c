-- selftest mseal_test.c test_seal_mprotect_merge: sealing two pages across a split refuses their mprotect, the unsealed rest is free
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	check(s .. "split", try(p.mprotect, p, a, P, "rw"), "ok")
	if seal then check(s .. "mseal", try(p.mseal, p, a, 2 * P), "ok") end
	check(s .. "mprotect_first2", try(p.mprotect, p, a, 2 * P, "r"), seal and "EPERM" or "ok")
	check(s .. "mprotect_last2", try(p.mprotect, p, a + 2 * P, 2 * P, "r"), "ok")
	p:exit()
end
