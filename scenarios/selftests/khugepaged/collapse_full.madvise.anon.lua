-- selftest khugepaged.c collapse_full.madvise.anon: MADV_COLLAPSE collapses four fully populated PTE tables
mm.include("collapse.inc", "collapse_full", "madvise")
