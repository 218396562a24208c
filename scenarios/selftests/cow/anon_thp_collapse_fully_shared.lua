-- selftest cow.c anon_thp_collapse_fully_shared: a PTE-mapped THP collapsed after fork while fully shared: the parent's write does not reach the child
mm.include("../../lib/cow.lua").collapse("fully_shared")
