-- selftest mremap_test.c overlapping: mremap(MAYMOVE | FIXED) of a page onto a range that overlaps it fails with EINVAL
local res, intact = mm.include("../../lib/mremap_region.lua"){src = mm.PAGE_SIZE, dst = mm.PAGE_SIZE, size = mm.PAGE_SIZE, overlap = true}
mm.observe("result", res)
mm.observe("data_intact", intact)
mm.expect_eq(res, "EINVAL", "the move is refused")
