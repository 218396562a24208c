-- shmem_thp_write: THPs a memfd gets without a fault.  Under
-- shmem_enabled=always, pwrite(2) and fallocate(2) allocate THPs
-- (thp_file_alloc, nr_shmem_hugepages), and so does a small pwrite into a
-- file whose size covers the 2 MiB; a later read fault maps them by a PMD.
-- A fault in a 1 MiB file gets a THP that reaches past i_size, mapped by a
-- PMD all the same (tmpfs's exception).  Under within_size a pwrite that
-- grows the file page by page never covers an empty 2 MiB, so it gets
-- small pages; advise gets none without a VMA.
mm.require("thp")
local PMD = mm.PMD_SIZE
local K = "/sys/kernel/mm/transparent_hugepage/"
mm.set(K .. "shmem_enabled", "always")
local p = mm.spawn()

local function aligned(fd)
	local m = p:mmap{len = 2 * PMD}
	local a = (m + PMD - 1) & ~(PMD - 1)
	p:mmap{addr = a, len = PMD, fd = fd, flags = "shared,fixed"}
	return a
end
-- run @f, observe the THPs it allocated (and nr_shmem_hugepages if @all)
local function allocs(tag, f, all)
	local v0 = mm.vmstat()
	f()
	local v1 = mm.vmstat()
	mm.observe(tag .. ".thp_file_alloc", v1.thp_file_alloc - v0.thp_file_alloc)
	if all then
		mm.observe(tag .. ".nr_shmem_hugepages", v1.nr_shmem_hugepages - v0.nr_shmem_hugepages)
	end
end
-- map @fd and read its first byte: how is it mapped?
local function mapped(tag, fd, a)
	a = a or aligned(fd)
	p:read(a, 1)
	mm.observe(tag .. ".pmd_kb", p:smaps(a).ShmemPmdMapped)
	mm.observe(tag .. ".rss_kb", p:smaps(a).Rss)
end

local w = p:memfd("write", 0)
allocs("write", function() p:pwrite(w, 0, string.rep("a", 2 * PMD)) end, true)
mapped("write.map", w)
local f = p:memfd("falloc", 0)
allocs("falloc", function() p:fallocate(f, "", 0, PMD) end, true)
mapped("falloc.map", f)
local t = p:memfd("small_write", 0)
p:ftruncate(t, PMD)
allocs("small_write", function() p:pwrite(t, 5, "hello") end)
mapped("small_write.map", t)

local h = p:memfd("half_file", PMD // 2)
local ha = aligned(h)
allocs("fault_half_file", function() p:write(ha, "x") end)
mapped("fault_half_file.map", h, ha)
local h2 = p:memfd("half_file_pwrite", PMD // 2)
allocs("pwrite_half_file", function() p:pwrite(h2, 0, "y") end)

mm.set(K .. "shmem_enabled", "within_size")
local w2 = p:memfd("within_2m", 0)
allocs("within_size.pwrite_2m", function() p:pwrite(w2, 0, string.rep("z", PMD)) end)
local w1 = p:memfd("within_1m", 0)
allocs("within_size.pwrite_1m", function() p:pwrite(w1, 0, string.rep("z", PMD // 2)) end)
mm.set(K .. "shmem_enabled", "advise")
local ad = p:memfd("advise", 0)
allocs("advise.pwrite_2m", function() p:pwrite(ad, 0, string.rep("z", PMD)) end)
