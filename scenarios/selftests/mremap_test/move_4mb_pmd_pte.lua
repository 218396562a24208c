-- selftest mremap_test.c move_4mb_pmd_pte: a 4 MiB move from a PMD-aligned source to a page-aligned destination keeps the data
local res, intact = mm.include("../../lib/mremap_region.lua"){src = mm.PMD_SIZE, dst = mm.PAGE_SIZE, size = 4 * mm.MB}
mm.observe("result", res)
mm.observe("data_intact", intact)
mm.expect_eq(res, "ok", "the move succeeds")
mm.expect(intact, "the data arrived intact")
