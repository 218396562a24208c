-- selftest mseal_test.c test_seal_mprotect_two_vma_with_split: a seal across the boundary of two VMAs splits both; only the sealed middle refuses mprotect
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	check(s .. "split", try(p.mprotect, p, a, 2 * P, "rw"), "ok")
	if seal then check(s .. "mseal", try(p.mseal, p, a + P, 2 * P), "ok") end
	for i = 0, 3 do
		local sealed = seal and (i == 1 or i == 2)
		check(s .. "mprotect_page" .. i, try(p.mprotect, p, a + i * P, P, "rw"), sealed and "EPERM" or "ok")
	end
	p:exit()
end
