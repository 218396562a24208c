-- selftest cow.c cow_in_parent_mprotect_base_page: after fork, the parent's write to a base page does not reach the child, also after mprotect(PROT_READ) and back in the parent
mm.include("../../lib/cow.lua").anon("cow_in_parent_mprotect", "base_page")
