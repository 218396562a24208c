-- sigsegv_unmapped: an access where nothing is mapped (below mmap_min_addr,
-- or a page just unmapped) is SIGSEGV, and a read-only mapping refuses
-- writes with SIGSEGV while reads see zeros.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local function sig(ok, err) return ok and "none" or (err:match("SIG%u+") or err) end
mm.observe("null_page", sig(pcall(p.touch, p, 0, 1, "r")))
mm.observe("low_64k", sig(pcall(p.read, p, 0x10000, 4)))
local a = p:mmap{len = 2 * PAGE}
p:touch(a, 2 * PAGE, "w")
p:munmap(a + PAGE, PAGE)
mm.observe("unmapped_page", sig(pcall(p.touch, p, a + PAGE, 1, "w")))
mm.expect_eq(sig(pcall(p.touch, p, 0, 1, "r")), "SIGSEGV", "NULL")
mm.expect_eq(sig(pcall(p.read, p, 0x10000, 4)), "SIGSEGV", "nothing at 64 KiB")
mm.expect_eq(sig(pcall(p.touch, p, a + PAGE, 1, "w")), "SIGSEGV", "unmapped page")
-- a write that runs off the end of a mapping faults at the boundary
local ok, err = pcall(p.write, p, a + PAGE - 2, "abcd")
mm.observe("write_across_end", sig(ok, err))
mm.expect(not ok and err:match("SIGSEGV"), "write across the end")
mm.expect_eq(p:read(a + PAGE - 2, 2), "ab", "bytes before the fault were written")

local ro = p:mmap{len = PAGE, prot = "r"}
mm.observe("ro_read", p:read(ro, 4) == "\0\0\0\0")
mm.observe("ro_write", sig(pcall(p.write, p, ro, "x")))
mm.expect_eq(sig(pcall(p.write, p, ro, "x")), "SIGSEGV", "write to read-only")
