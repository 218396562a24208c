-- selftest mseal_test.c test_seal_multiple_vmas: mprotect and mseal both apply across three VMAs
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
local p = mm.spawn()
local a = p:mmap{len = 4 * P, prot = "r"}
check("split", try(p.mprotect, p, a + P, 2 * P, "rw"), "ok")
check("mprotect_all", try(p.mprotect, p, a, 4 * P, "r"), "ok")
check("split_again", try(p.mprotect, p, a + P, 2 * P, "rw"), "ok")
check("mseal_all", try(p.mseal, p, a, 4 * P), "ok")
