-- selftest cow.c anon_thp_collapse_upper_shared: a THP whose upper half only was shared, collapsed after fork: the parent's write does not reach the child
mm.include("../../lib/cow.lua").collapse("upper_shared")
