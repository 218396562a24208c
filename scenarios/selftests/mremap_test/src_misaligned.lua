-- selftest mremap_test.c src_misaligned: a source aligned to 1 KiB only cannot even be mapped (mmap fails with EINVAL), so nothing can be moved from there
local res, intact = mm.include("../../lib/mremap_region.lua"){src = 1024, dst = mm.PAGE_SIZE, size = mm.PAGE_SIZE}
mm.observe("result", res)
mm.observe("data_intact", intact)
mm.expect_eq(res, "EINVAL", "the move is refused")
