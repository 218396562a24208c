-- selftest cow.c cow_in_parent_pte_mapped_thp: after fork, the parent's write to a PTE-mapped THP does not reach the child
mm.include("../../lib/cow.lua").anon("cow_in_parent", "pte_mapped_thp")
