-- mmap_min_addr: MAP_FIXED at address 0 is EPERM for a plain program
-- (vm.mmap_min_addr; this host has 4096, the model 64 KiB: both refuse 0);
-- a hint below 64 KiB is moved up to max(mmap_min_addr,
-- CONFIG_LSM_MMAP_MIN_ADDR) = 64 KiB; MAP_FIXED at 64 KiB works.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local ok, err = pcall(p.mmap, p, {len = PAGE, addr = 0,
				flags = "private,anonymous,fixed"})
mm.observe("fixed_low", ok and "ok" or err:match("^E%u+"))
mm.expect(not ok and err:match("^EPERM"), "below mmap_min_addr")
local h = p:mmap{len = PAGE, addr = 0x1000}
mm.observe("hint_moved_to", string.format("0x%x", h))
mm.expect_eq(h, 0x10000, "the hint moves up to mmap_min_addr")
p:munmap(h, PAGE)
local f = p:mmap{len = PAGE, addr = 0x10000, flags = "private,anonymous,fixed"}
mm.expect_eq(f, 0x10000, "exactly at mmap_min_addr")
p:write(f, "low")
mm.observe("low_read", p:read(f, 3))
mm.expect_eq(p:read(f, 3), "low", "usable")
