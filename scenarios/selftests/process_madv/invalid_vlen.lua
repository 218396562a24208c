-- selftest process_madv.c invalid_vlen: more than UIO_MAXIOV (1024) ranges is EINVAL
local P, check = mm.PAGE_SIZE, mm.check
local p = mm.spawn()
local a = p:mmap{len = P, prot = "r"}
local many = {}
for i = 1, 1025 do many[i] = {a, P} end
check("ranges_1025", mm.errno(p.process_madvise, p, p, many, "dontneed"), "EINVAL")
check("munmap", mm.errno(p.munmap, p, a, P), "ok")
