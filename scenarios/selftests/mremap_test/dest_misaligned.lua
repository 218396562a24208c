-- selftest mremap_test.c dest_misaligned: mremap(MAYMOVE | FIXED) to a destination aligned to 1 KiB only fails with EINVAL
local res, intact = mm.include("../../lib/mremap_region.lua"){src = mm.PAGE_SIZE, dst = 1024, size = mm.PAGE_SIZE}
mm.observe("result", res)
mm.observe("data_intact", intact)
mm.expect_eq(res, "EINVAL", "the move is refused")
