-- selftest mremap_test.c move_2gb_pud_pmd: a 2 GiB move from a PUD-aligned source to a PMD-aligned destination keeps the data
-- run with: --mem 3G	(the kernel refuses a shared mapping larger than RAM)
local res, intact = mm.include("../../lib/mremap_region.lua"){src = mm.GB, dst = mm.PMD_SIZE, size = 2 * mm.GB}
mm.observe("result", res)
mm.observe("data_intact", intact)
mm.expect_eq(res, "ok", "the move succeeds")
mm.expect(intact, "the data arrived intact")
