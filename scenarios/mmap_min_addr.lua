-- mmap_min_addr: MAP_FIXED at address 0 is EPERM for a plain program
-- (cap_mmap_addr: below vm.mmap_min_addr, 4096 on this host), while
-- MAP_FIXED at 4 KiB .. 64 KiB works (the 64 KiB of
-- CONFIG_LSM_MMAP_MIN_ADDR binds only an LSM that checks it); a hint below
-- 64 KiB is moved up to max(mmap_min_addr, CONFIG_LSM_MMAP_MIN_ADDR) =
-- 64 KiB; MAP_FIXED at 64 KiB works.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local ok, err = pcall(p.mmap, p, {len = PAGE, addr = 0,
				flags = "private,anonymous,fixed"})
mm.observe("fixed_low", ok and "ok" or err:match("^E%u+"))
mm.expect(not ok and err:match("^EPERM"), "below mmap_min_addr")
local ok4, err4 = pcall(p.mmap, p, {len = PAGE, addr = 0x1000,
				  flags = "private,anonymous,fixed"})
mm.observe("fixed_4k", ok4 and "ok" or err4:match("^E%u+"))
mm.expect(ok4, "MAP_FIXED at 4 KiB (vm.mmap_min_addr 4096)")
if ok4 then
	p:write(0x1000, "x")
	mm.observe("fixed_4k_read", p:read(0x1000, 1))
	p:munmap(0x1000, PAGE)
end
local h = p:mmap{len = PAGE, addr = 0x1000}
mm.observe("hint_moved_to", string.format("0x%x", h))
mm.expect_eq(h, 0x10000, "the hint moves up to mmap_min_addr")
p:munmap(h, PAGE)
local f = p:mmap{len = PAGE, addr = 0x10000, flags = "private,anonymous,fixed"}
mm.expect_eq(f, 0x10000, "exactly at mmap_min_addr")
p:write(f, "low")
mm.observe("low_read", p:read(f, 3))
mm.expect_eq(p:read(f, 3), "low", "usable")
