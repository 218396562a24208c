-- selftest khugepaged.c collapse_fork_compound.madvise.anon: MADV_COLLAPSE collapses a fork child's PTE-mapped shared THP; the parent keeps its THP
mm.include("collapse.inc", "collapse_fork_compound", "madvise")
