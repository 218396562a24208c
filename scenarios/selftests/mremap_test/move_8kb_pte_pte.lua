-- selftest mremap_test.c move_8kb_pte_pte: an 8 KiB move between page-aligned addresses keeps the data
local res, intact = mm.include("../../lib/mremap_region.lua"){src = mm.PAGE_SIZE, dst = mm.PAGE_SIZE, size = 2 * mm.PAGE_SIZE}
mm.observe("result", res)
mm.observe("data_intact", intact)
mm.expect_eq(res, "ok", "the move succeeds")
mm.expect(intact, "the data arrived intact")
