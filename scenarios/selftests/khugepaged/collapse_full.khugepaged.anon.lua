-- selftest khugepaged.c collapse_full.khugepaged.anon: khugepaged collapses four fully populated PTE tables
mm.include("collapse.inc", "collapse_full", "khugepaged")
