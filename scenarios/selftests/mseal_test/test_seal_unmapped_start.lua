-- selftest mseal_test.c test_seal_unmapped_start: a range starting in a hole can be neither mprotected nor sealed; its mapped part can
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
local p = mm.spawn()
local a = p:mmap{len = 4 * P, prot = "r"}
p:munmap(a, 2 * P)
check("mprotect_hole", try(p.mprotect, p, a, 4 * P, "rw"), "ENOMEM")
check("mseal_hole", try(p.mseal, p, a, 4 * P), "ENOMEM")
check("mseal_mapped", try(p.mseal, p, a + 2 * P, 2 * P), "ok")
