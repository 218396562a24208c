-- selftest process_madv.c invalid_advice_zero_length: an unknown advice with nothing to advise, and a valid one on nothing
-- The selftest wants EINVAL for the unknown advice; 6.18 returns 0 (it
-- advises nothing and never looks at the advice: vector_madvise stops at
-- once on an empty vector), as this host shows.  The refusal came with a
-- later kernel; the model follows 6.18.
local check = mm.check
local p = mm.spawn()
check("bad_advice_empty_range", mm.errno(p.process_madvise, p, p, 0, 0, -1), "ok")
check("dontneed_empty_range", p:process_madvise(p, 0, 0, "dontneed"), 0)
check("bad_advice_no_ranges", mm.errno(p.process_madvise, p, p, {}, -1), "ok")
