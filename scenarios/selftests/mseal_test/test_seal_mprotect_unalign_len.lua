-- selftest mseal_test.c test_seal_mprotect_unalign_len: a length one byte short of two pages seals both pages, not the third
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	if seal then check(s .. "mseal", try(p.mseal, p, a, 2 * P - 1), "ok") end
	check(s .. "mprotect_two", try(p.mprotect, p, a, 2 * P, "rw"), seal and "EPERM" or "ok")
	check(s .. "mprotect_third", try(p.mprotect, p, a + 2 * P, P, "rw"), "ok")
	p:exit()
end
