-- selftest cow.c cow_in_parent_mprotect_pte_mapped_thp: after fork, the parent's write to a PTE-mapped THP does not reach the child, also after mprotect(PROT_READ) and back in the parent
mm.include("../../lib/cow.lua").anon("cow_in_parent_mprotect", "pte_mapped_thp")
