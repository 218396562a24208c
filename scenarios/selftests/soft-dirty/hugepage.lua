-- selftest soft-dirty.c hugepage: on a PMD-mapped THP, clear_refs 4 clears the soft-dirty bit and the next write sets it, round after round
local sd = mm.include("../../lib/soft_dirty.lua")
mm.require("thp")
local H = mm.PMD_SIZE
local p = mm.spawn()
local m = p:mmap{len = 2 * H}
local a = (m + H - 1) & ~(H - 1)
p:madvise(a, H, "hugepage")
p:fill(a, H, 3)
local huge = p:smaps(a).AnonHugePages
mm.observe("thp_kb", huge)
mm.expect_eq(huge, H // 1024, "a THP was allocated")
local rounds = 200	-- the selftest runs 10000; every round checks the same
local good = sd.cycles(p, a, rounds)
mm.observe("good_rounds", good)
mm.expect_eq(good, rounds, "clear, then dirty on write, every round")
-- clearing write-protects the PMD: the THP is not split by the rounds
mm.observe("thp_kb_after", p:smaps(a).AnonHugePages)
mm.expect_eq(p:smaps(a).AnonHugePages, H // 1024, "still PMD-mapped")
