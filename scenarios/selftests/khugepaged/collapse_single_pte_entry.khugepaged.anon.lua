-- selftest khugepaged.c collapse_single_pte_entry.khugepaged.anon: khugepaged collapses a PTE table with a single present entry
mm.include("collapse.inc", "collapse_single_pte_entry", "khugepaged")
