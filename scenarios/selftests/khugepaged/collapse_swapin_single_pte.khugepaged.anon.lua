-- selftest khugepaged.c collapse_swapin_single_pte.khugepaged.anon: khugepaged swaps in the one swapped-out PTE and collapses
mm.include("collapse.inc", "collapse_swapin_single_pte", "khugepaged")
