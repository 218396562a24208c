-- selftest khugepaged.c collapse_single_pte_entry_compound.khugepaged.anon: khugepaged collapses a table whose one PTE maps a page of a THP
mm.include("collapse.inc", "collapse_single_pte_entry_compound", "khugepaged")
