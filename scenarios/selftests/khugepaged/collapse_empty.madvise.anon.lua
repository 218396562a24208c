-- selftest khugepaged.c collapse_empty.madvise.anon: MADV_COLLAPSE does not collapse an empty PTE table
mm.include("collapse.inc", "collapse_empty", "madvise")
