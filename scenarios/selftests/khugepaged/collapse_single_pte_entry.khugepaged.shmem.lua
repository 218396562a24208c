-- selftest khugepaged.c collapse_single_pte_entry.khugepaged.shmem: khugepaged collapses a memfd range with one page written (shmem's holes count as none) in the page cache; the refault under MADV_NOHUGEPAGE maps the THP by PTEs
mm.include("collapse.inc", "collapse_single_pte_entry", "khugepaged", "shmem")
