-- selftest mseal_test.c test_seal_mmap_overwrite_prot: mmap(MAP_FIXED) over a sealed page fails with EPERM
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = P, prot = "r"}
	if seal then check(s .. "mseal", try(p.mseal, p, a, P), "ok") end
	check(s .. "mmap_fixed", try(p.mmap, p, {len = P, prot = "none", addr = a, flags = "private,anonymous,fixed"}),
	      seal and "EPERM" or "ok")
	p:exit()
end
