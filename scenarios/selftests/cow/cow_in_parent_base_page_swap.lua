-- selftest cow.c cow_in_parent_base_page_swap: after fork, the parent's write to a swapped-out base page does not reach the child
mm.include("../../lib/cow.lua").anon("cow_in_parent", "base_page_swap")
