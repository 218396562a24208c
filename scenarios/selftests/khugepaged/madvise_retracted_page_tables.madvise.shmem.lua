-- selftest khugepaged.c madvise_retracted_page_tables.madvise.shmem: after khugepaged's collapse left a memfd range's PMD empty, MADV_COLLAPSE maps the page cache's THP by PMD
mm.include("collapse.inc", "madvise_retracted_page_tables", "madvise", "shmem")
