-- selftest mremap_test.c move_within_range: moving the second MiB of a 2 MiB block one block down, inside one 20 MiB mapping, leaves the first MiB of the block intact
local MB = mm.MB
local p = mm.spawn()
local ptr = p:mmap{len = 20 * MB}
p:touch(ptr, 20 * MB, "w")
local src = (ptr + 6 * MB) & ~(2 * MB - 1)
p:fill(src, 2 * MB, 5)
local dest = src - 2 * MB
p:mremap(src + MB, MB, MB, "maymove,fixed", dest + MB)
local ok = p:verify(src, MB, 5) == true
mm.observe("first_half_intact", ok)
mm.expect(ok, "the unmoved MiB is not corrupted")
