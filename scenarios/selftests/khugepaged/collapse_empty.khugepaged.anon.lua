-- selftest khugepaged.c collapse_empty.khugepaged.anon: khugepaged does not collapse an empty PTE table
mm.include("collapse.inc", "collapse_empty", "khugepaged")
