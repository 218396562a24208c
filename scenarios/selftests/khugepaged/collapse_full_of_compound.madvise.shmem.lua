-- selftest khugepaged.c collapse_full_of_compound.madvise.shmem: MADV_COLLAPSE maps by PMD a memfd THP of the page cache whose PMD a VMA split took away
mm.include("collapse.inc", "collapse_full_of_compound", "madvise", "shmem")
