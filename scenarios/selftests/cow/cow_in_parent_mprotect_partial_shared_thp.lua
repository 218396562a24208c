-- selftest cow.c cow_in_parent_mprotect_partial_shared_thp: after fork, the parent's write to a THP of which only the first page was ever shared does not reach the child, also after mprotect(PROT_READ) and back in the parent
mm.include("../../lib/cow.lua").anon("cow_in_parent_mprotect", "partial_shared_thp")
