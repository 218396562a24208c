-- selftest cow.c cow_in_parent_thp_swap: after fork, the parent's write to a swapped-out THP does not reach the child
mm.include("../../lib/cow.lua").anon("cow_in_parent", "thp_swap")
