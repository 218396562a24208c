-- selftest khugepaged.c collapse_single_pte_entry.madvise.shmem: MADV_COLLAPSE collapses a memfd range with one page written into a THP mapped by PMD
mm.include("collapse.inc", "collapse_single_pte_entry", "madvise", "shmem")
