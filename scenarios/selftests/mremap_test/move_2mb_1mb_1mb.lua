-- selftest mremap_test.c move_2mb_1mb_1mb: a 2 MiB move between 1 MiB-aligned addresses keeps the data
local res, intact = mm.include("../../lib/mremap_region.lua"){src = mm.MB, dst = mm.MB, size = 2 * mm.MB}
mm.observe("result", res)
mm.observe("data_intact", intact)
mm.expect_eq(res, "ok", "the move succeeds")
mm.expect(intact, "the data arrived intact")
