-- selftest cow.c cow_in_parent_mprotect_base_page_swap: after fork, the parent's write to a swapped-out base page does not reach the child, also after mprotect(PROT_READ) and back in the parent
mm.include("../../lib/cow.lua").anon("cow_in_parent_mprotect", "base_page_swap")
