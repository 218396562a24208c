-- selftest mremap_test.c perf_1gb_pte_pte: a 1 GiB move between page-aligned addresses keeps the data (the selftest times it with -t 0)
-- run with: --mem 3G	(the kernel refuses a shared mapping larger than RAM)
local res, intact = mm.include("../../lib/mremap_region.lua"){src = mm.PAGE_SIZE, dst = mm.PAGE_SIZE, size = mm.GB}
mm.observe("result", res)
mm.observe("data_intact", intact)
mm.expect_eq(res, "ok", "the move succeeds")
mm.expect(intact, "the data arrived intact")
