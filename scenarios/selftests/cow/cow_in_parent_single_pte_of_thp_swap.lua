-- selftest cow.c cow_in_parent_single_pte_of_thp_swap: after fork, the parent's write to a single PTE of a swapped-out THP does not reach the child
mm.include("../../lib/cow.lua").anon("cow_in_parent", "single_pte_of_thp_swap")
