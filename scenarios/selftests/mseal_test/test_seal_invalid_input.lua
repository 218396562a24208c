-- selftest mseal_test.c test_seal_invalid_input: mseal refuses unknown flags, an unaligned start, a range past the mapping, a wrapping length and a start in a hole
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
local p = mm.spawn()
local a = p:mmap{len = 8 * P, prot = "r"}
p:munmap(a + 4 * P, 4 * P)
check("flags", try(p.mseal, p, a, 4 * P, 0x20), "EINVAL")
check("unaligned", try(p.mseal, p, a + 1, 2 * P), "EINVAL")
check("too_long", try(p.mseal, p, a, 5 * P), "ENOMEM")
check("overflow", try(p.mseal, p, a, math.maxinteger // P * 2 + 1), "ENOMEM")
check("start_in_hole", try(p.mseal, p, a - P, 5 * P), "ENOMEM")
check("nothing_sealed", try(p.mprotect, p, a, 4 * P, "rw"), "ok")
