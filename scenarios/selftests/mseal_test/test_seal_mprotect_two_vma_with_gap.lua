-- selftest mseal_test.c test_seal_mprotect_two_vma_with_gap: a hole between two VMAs fails mprotect and mseal; neither VMA ends up sealed
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
for _, seal in ipairs{false, true} do	-- as the selftest: without, then with the seal
	local s, p = seal and "sealed." or "unsealed.", mm.spawn()
	local a = p:mmap{len = 4 * P, prot = "r"}
	check(s .. "split_first", try(p.mprotect, p, a, P, "rw"), "ok")
	check(s .. "split_last", try(p.mprotect, p, a + 3 * P, P, "rw"), "ok")
	check(s .. "hole", try(p.munmap, p, a + P, 2 * P), "ok")
	check(s .. "mprotect_hole", try(p.mprotect, p, a, 4 * P, "r"), "ENOMEM")
	-- mprotect changed the first VMA before it met the hole
	check(s .. "first_now_readonly", p:smaps(a).VmFlags:match("wr") == nil, true)
	check(s .. "mseal_hole", try(p.mseal, p, a, 4 * P), "ENOMEM")
	check(s .. "mprotect_first", try(p.mprotect, p, a, P, "r"), "ok")
	check(s .. "mprotect_last", try(p.mprotect, p, a + 3 * P, P, "r"), "ok")
	p:exit()
end
