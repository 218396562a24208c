-- selftest khugepaged.c collapse_full.madvise.shmem: MADV_COLLAPSE collapses four fully written memfd ranges into THPs mapped by PMD
mm.include("collapse.inc", "collapse_full", "madvise", "shmem")
