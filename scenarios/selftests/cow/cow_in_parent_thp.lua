-- selftest cow.c cow_in_parent_thp: after fork, the parent's write to a PMD-mapped THP does not reach the child
mm.include("../../lib/cow.lua").anon("cow_in_parent", "thp")
