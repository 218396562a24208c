-- file_rw: pread(2) and pwrite(2) of a regular file on a disk filesystem
-- and of a memfd, through the page cache: a write grows the file and is
-- seen through a shared mapping, a write through the mapping is seen by
-- pread, a read stops at the end of the file, writes larger than a
-- message go whole, an fd opened read-only refuses writes (EBADF).
-- mm/filemap.c (filemap_read, generic_perform_write), mm/shmem.c;
-- observed on 6.18.
local P = mm.PAGE_SIZE
local p = mm.spawn()
for _, kind in ipairs{"file", "memfd"} do
	local fd = kind == "file" and p:file() or p:memfd("rw")
	mm.check(kind .. ".write", p:pwrite(fd, 100, string.rep("ab", 3000)), 6000)
	local a = p:mmap{len = 2 * P, flags = "shared", fd = fd}
	mm.check(kind .. ".mapped", p:read(a + 100, 6) .. "|" .. p:read(a + 99, 1):byte(), "ababab|0")
	p:write(a + P + 10, "via map")
	mm.check(kind .. ".pread", p:pread(fd, P + 10, 7), "via map")
	mm.check(kind .. ".short", #p:pread(fd, 6000, 1000), 100)
	mm.check(kind .. ".eof", #p:pread(fd, 7000, 10), 0)
	local big = string.rep("z", 100000)
	mm.check(kind .. ".big", p:pwrite(fd, 0, big), 100000)
	mm.check(kind .. ".bigread", p:pread(fd, 0, 100000) == big, true)
	local ro = p:reopen(fd, "r")
	local ok, err = pcall(p.pwrite, p, ro, 0, "x")
	mm.check(kind .. ".ro_write", (tostring(err):match("E%u+")), "EBADF")
end
