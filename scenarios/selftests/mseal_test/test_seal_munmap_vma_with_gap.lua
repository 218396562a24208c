-- selftest mseal_test.c test_seal_munmap_vma_with_gap: mseal over a hole fails and seals nothing: both pieces unmap
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	check(s .. "hole", try(p.munmap, p, a + P, 2 * P), "ok")
	if seal then check(s .. "mseal", try(p.mseal, p, a, 4 * P), "ENOMEM") end
	check(s .. "munmap_first", try(p.munmap, p, a, P), "ok")
	check(s .. "munmap_last", try(p.munmap, p, a + 3 * P, P), "ok")
	check(s .. "munmap_all", try(p.munmap, p, a, 4 * P), "ok")
	p:exit()
end
