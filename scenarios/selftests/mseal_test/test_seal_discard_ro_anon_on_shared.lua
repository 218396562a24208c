-- selftest mseal_test.c test_seal_discard_ro_anon_on_shared: MADV_DONTNEED of sealed shared anonymous memory works
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r", flags = "shared,anonymous"}
	if seal then check(s .. "mseal", try(p.mseal, p, a, 4 * P), "ok") end
	check(s .. "dontneed", try(p.madvise, p, a, 4 * P, "dontneed"), "ok")
	check(s .. "munmap", try(p.munmap, p, a, 4 * P), seal and "EPERM" or "ok")
	p:exit()
end
