-- selftest khugepaged.c madvise_collapse_existing_thps.madvise.shmem: MADV_COLLAPSE of a memfd range already mapped by a THP's PMD succeeds and keeps it
mm.include("collapse.inc", "madvise_collapse_existing_thps", "madvise", "shmem")
