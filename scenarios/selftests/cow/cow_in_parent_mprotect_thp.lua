-- selftest cow.c cow_in_parent_mprotect_thp: after fork, the parent's write to a PMD-mapped THP does not reach the child, also after mprotect(PROT_READ) and back in the parent
mm.include("../../lib/cow.lua").anon("cow_in_parent_mprotect", "thp")
