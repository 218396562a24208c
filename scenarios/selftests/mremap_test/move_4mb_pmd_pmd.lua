-- selftest mremap_test.c move_4mb_pmd_pmd: a 4 MiB move between PMD-aligned addresses (whole page tables move) keeps the data
local res, intact = mm.include("../../lib/mremap_region.lua"){src = mm.PMD_SIZE, dst = mm.PMD_SIZE, size = 4 * mm.MB}
mm.observe("result", res)
mm.observe("data_intact", intact)
mm.expect_eq(res, "ok", "the move succeeds")
mm.expect(intact, "the data arrived intact")
