-- selftest khugepaged.c collapse_full_of_compound.khugepaged.shmem: khugepaged scans a memfd range whose THP is already in the page cache, its PMD split by a VMA split; the refault under MADV_NOHUGEPAGE maps that THP by PTEs
mm.include("collapse.inc", "collapse_full_of_compound", "khugepaged", "shmem")
