-- selftest mseal_test.c test_seal_munmap_two_vma: a seal over two VMAs refuses munmap of either or of a range across them
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	check(s .. "split", try(p.mprotect, p, a, 2 * P, "rw"), "ok")
	if seal then check(s .. "mseal", try(p.mseal, p, a, 4 * P), "ok") end
	check(s .. "munmap_first", try(p.munmap, p, a, 2 * P), seal and "EPERM" or "ok")
	check(s .. "munmap_across", try(p.munmap, p, a + P, 2 * P), seal and "EPERM" or "ok")
	p:exit()
end
