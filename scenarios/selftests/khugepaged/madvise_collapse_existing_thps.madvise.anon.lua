-- selftest khugepaged.c madvise_collapse_existing_thps.madvise.anon: MADV_COLLAPSE of a range already mapped by a THP succeeds
mm.include("collapse.inc", "madvise_collapse_existing_thps", "madvise")
