-- luf_munmap_race: LUF's munmap problem as a race, for the deterministic
-- scheduler (model only).  CPU 1 reads a read-only file mapping in a loop
-- while CPU 0 pages it out (LUF defers the TLB flush) and unmaps it; then
-- another file is mapped at the same address and CPU 1 reads it.  munmap
-- must flush what LUF deferred.  With luf/unsafe_skip_munmap_flush = 1 (a
-- deliberate bug, argument "unsafe") schedules in which CPU 1 still holds
-- an entry for the old file read it: the stale-TLB detector reports, and
-- the read sees the old file's data.
local PAGE = mm.PAGE_SIZE
local N = 16 * PAGE
mm.set("/sys/kernel/mm/mmlab/luf/enabled", 1)
mm.set("/sys/kernel/mm/mmlab/luf/unsafe_skip_munmap_flush",
       mm.args[1] == "unsafe" and 1 or 0)
mm.swapon(64 * mm.MB)
local p = mm.spawn()
local t1 = p:thread(1)

local function file(name, seed)
	local fd = p:memfd(name, N)
	local w = p:mmap{len = N, fd = fd, flags = "shared"}
	p:fill(w, N, seed)
	p:munmap(w, N)
	return fd
end

local f, g = file("f", 1), file("g", 2)
local s = p:mmap{len = N, fd = f, prot = "r", flags = "shared"}
mm.expect_eq(t1:verify(s, N, 1), true, "CPU 1 reads the file")
p:clear_refs(1)
local ok, res = pcall(mm.parallel, {
	{t1, "verify", s, N, 1, rep = 2},
	{p, "madvise", s, N, "pageout"},
	{p, "munmap", s, N},
})
-- reads before the munmap see the file; after it they fault
mm.expect(ok and res[1] == true or tostring(res):match("SIGSEGV"),
	  "CPU 1 read the file or faulted: " .. tostring(ok and res[1] or res))
local s2 = p:mmap{len = N, fd = g, prot = "r", flags = "shared,fixed", addr = s}
mm.expect_eq(t1:verify(s2, N, 2), true, "CPU 1 reads the new file")
