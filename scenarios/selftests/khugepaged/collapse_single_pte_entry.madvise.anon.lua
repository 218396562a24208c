-- selftest khugepaged.c collapse_single_pte_entry.madvise.anon: MADV_COLLAPSE collapses a PTE table with a single present entry
mm.include("collapse.inc", "collapse_single_pte_entry", "madvise")
