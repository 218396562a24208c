-- selftest khugepaged.c collapse_single_pte_entry_compound.madvise.anon: MADV_COLLAPSE collapses a table whose one PTE maps a page of a THP
mm.include("collapse.inc", "collapse_single_pte_entry_compound", "madvise")
