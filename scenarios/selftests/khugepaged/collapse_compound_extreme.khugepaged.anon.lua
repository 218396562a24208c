-- selftest khugepaged.c collapse_compound_extreme.khugepaged.anon: khugepaged collapses a PTE table whose entries map pages of 512 different THPs
mm.include("collapse.inc", "collapse_compound_extreme", "khugepaged")
