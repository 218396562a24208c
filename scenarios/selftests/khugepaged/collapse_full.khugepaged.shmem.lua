-- selftest khugepaged.c collapse_full.khugepaged.shmem: khugepaged collapses four fully written memfd ranges in the page cache, leaving their PMDs empty; the refault under MADV_NOHUGEPAGE maps each THP by PTEs
mm.include("collapse.inc", "collapse_full", "khugepaged", "shmem")
