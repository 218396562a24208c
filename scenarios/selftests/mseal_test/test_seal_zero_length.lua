-- selftest mseal_test.c test_seal_zero_length: a zero-length mseal succeeds and seals nothing
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
local p = mm.spawn()
local a = p:mmap{len = 4 * P, prot = "r"}
check("mprotect_zero", try(p.mprotect, p, a, 0, "rw"), "ok")
check("mseal_zero", try(p.mseal, p, a, 0), "ok")
check("mprotect_after", try(p.mprotect, p, a, 4 * P, "rw"), "ok")
