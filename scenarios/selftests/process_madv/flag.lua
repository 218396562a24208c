-- selftest process_madv.c flag: any flag is EINVAL (only 0 is defined)
local P, check = mm.PAGE_SIZE, mm.check
local p = mm.spawn()
local a = p:mmap{len = P, prot = "r"}
check("flag_0x80000000", mm.errno(p.process_madvise, p, p, a, P, "dontneed", 0x80000000), "EINVAL")
check("munmap", mm.errno(p.munmap, p, a, P), "ok")
