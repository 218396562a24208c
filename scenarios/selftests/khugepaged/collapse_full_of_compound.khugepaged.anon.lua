-- selftest khugepaged.c collapse_full_of_compound.khugepaged.anon: khugepaged collapses a table of PTEs mapping one THP
mm.include("collapse.inc", "collapse_full_of_compound", "khugepaged")
