-- selftest mremap_dontunmap.c simple_shmem: MREMAP_DONTUNMAP of a shared memfd mapping maps the file at the new place, and the old range still shows the file's data
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local fd = p:memfd("dontunmap", 5 * P)
local src = p:mmap{len = 5 * P, fd = fd, flags = "shared"}
p:close(fd)
vma.set(p, src, 5 * P, "a")
local res, dst = vma.try(p.mremap, p, src, 5 * P, 5 * P, "maymove,dontunmap")
mm.observe("mremap", res)
mm.expect_eq(res, "ok", "shmem can be moved with DONTUNMAP (5.13+)")
if res == "ok" then
	mm.observe("dest_has_data", vma.holds(p, dst, 5 * P, "a"))
	mm.observe("source_has_data", vma.holds(p, src, 5 * P, "a"))
	mm.expect(vma.holds(p, dst, 5 * P, "a"), "the new place maps the file")
	mm.expect(vma.holds(p, src, 5 * P, "a"), "the old range refaults the file's pages")
end
