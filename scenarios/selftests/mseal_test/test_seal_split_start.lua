-- selftest mseal_test.c test_seal_split_start: sealing the first page splits the VMA; the rest can be sealed after
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
local vma = mm.include("../../lib/vma.lua")
local vma_at = vma.pages_at
local p = mm.spawn()
local a = p:mmap{len = 4 * P, prot = "r"}
check("split", try(p.mprotect, p, a, 2 * P, "rw"), "ok")
check("mseal_first", try(p.mseal, p, a, P), "ok")
check("first_vma_pages", vma_at(p, a), 1)
check("mseal_rest", try(p.mseal, p, a + P, 3 * P), "ok")
