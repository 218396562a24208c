-- selftest mseal_test.c test_seal_discard_ro_anon_on_filebacked: MADV_DONTNEED of a sealed private file mapping works
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local fd = p:memfd("sealtest", 4 * P)
	local a = p:mmap{len = 4 * P, prot = "r", flags = "private", fd = fd}
	if seal then check(s .. "mseal", try(p.mseal, p, a, 4 * P), "ok") end
	check(s .. "dontneed", try(p.madvise, p, a, 4 * P, "dontneed"), "ok")
	check(s .. "munmap", try(p.munmap, p, a, 4 * P), seal and "EPERM" or "ok")
	p:close(fd)
	p:exit()
end
