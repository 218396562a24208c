-- selftest khugepaged.c collapse_swapin_single_pte.madvise.anon: MADV_COLLAPSE swaps in the one swapped-out PTE and collapses
mm.include("collapse.inc", "collapse_swapin_single_pte", "madvise")
