-- selftest cow.c anon_thp_collapse_unshared: a PTE-mapped THP collapsed before fork: the parent's write does not reach the child
mm.include("../../lib/cow.lua").collapse("unshared")
