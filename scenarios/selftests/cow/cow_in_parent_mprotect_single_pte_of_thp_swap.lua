-- selftest cow.c cow_in_parent_mprotect_single_pte_of_thp_swap: after fork, the parent's write to a single PTE of a swapped-out THP does not reach the child, also after mprotect(PROT_READ) and back in the parent
mm.include("../../lib/cow.lua").anon("cow_in_parent_mprotect", "single_pte_of_thp_swap")
