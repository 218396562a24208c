-- selftest khugepaged.c collapse_compound_extreme.madvise.anon: MADV_COLLAPSE collapses a PTE table whose entries map pages of 512 different THPs
mm.include("collapse.inc", "collapse_compound_extreme", "madvise")
