-- selftest mseal_test.c test_seal_twice: sealing a sealed range again succeeds
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
local p = mm.spawn()
local a = p:mmap{len = 4 * P, prot = "r"}
check("mseal", try(p.mseal, p, a, 4 * P), "ok")
check("mseal_again", try(p.mseal, p, a, 4 * P), "ok")
