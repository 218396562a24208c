-- selftest khugepaged.c collapse_full_of_compound.madvise.anon: MADV_COLLAPSE collapses a table of PTEs mapping one THP
mm.include("collapse.inc", "collapse_full_of_compound", "madvise")
