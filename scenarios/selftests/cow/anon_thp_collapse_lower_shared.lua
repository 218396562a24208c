-- selftest cow.c anon_thp_collapse_lower_shared: a THP whose lower half only was shared, collapsed after fork: the parent's write does not reach the child
mm.include("../../lib/cow.lua").collapse("lower_shared")
