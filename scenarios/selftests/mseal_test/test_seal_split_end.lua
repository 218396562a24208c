-- selftest mseal_test.c test_seal_split_end: sealing the last page splits the VMA; the first three pages can be sealed after
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
local vma = mm.include("../../lib/vma.lua")
local vma_at = vma.pages_at
local p = mm.spawn()
local a = p:mmap{len = 4 * P, prot = "r"}
check("split", try(p.mprotect, p, a, 2 * P, "rw"), "ok")
check("mseal_last", try(p.mseal, p, a + 3 * P, P), "ok")
check("last_vma_pages", vma_at(p, a + 3 * P), 1)
check("mseal_first3", try(p.mseal, p, a, 3 * P), "ok")
