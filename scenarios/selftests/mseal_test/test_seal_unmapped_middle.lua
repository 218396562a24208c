-- selftest mseal_test.c test_seal_unmapped_middle: a hole in the middle refuses mprotect and mseal; the pages either side can be sealed
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
local p = mm.spawn()
local a = p:mmap{len = 4 * P, prot = "r"}
p:munmap(a + P, 2 * P)
check("mprotect_hole", try(p.mprotect, p, a, 4 * P, "rw"), "ENOMEM")
check("mseal_hole", try(p.mseal, p, a, 4 * P), "ENOMEM")
check("mseal_first", try(p.mseal, p, a, P), "ok")
check("mseal_last", try(p.mseal, p, a + 3 * P, P), "ok")
