-- selftest mseal_test.c test_seal_zero_address: a fixed mapping at the lowest address the process may map can be sealed, and mprotect then fails
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
local vma = mm.include("../../lib/vma.lua")
local vma_at = vma.pages_at
-- The selftest maps at address 0, which needs CAP_SYS_RAWIO; a plain
-- process's lowest address is vm.mmap_min_addr (4096 on this host), and
-- the behaviour checked - sealing a fixed low mapping - is the same there.
local p = mm.spawn()
local low = 0x1000
local a = p:mmap{len = 4 * P, prot = "none", addr = low, flags = "private,anonymous,fixed"}
check("mapped_at", a, low)
check("vma_pages", vma_at(p, a), 4)
check("mseal", try(p.mseal, p, a, 4 * P), "ok")
check("mprotect", try(p.mprotect, p, a, 4 * P, "rw"), "EPERM")
