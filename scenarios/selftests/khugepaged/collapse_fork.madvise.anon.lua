-- selftest khugepaged.c collapse_fork.madvise.anon: MADV_COLLAPSE collapses a fork child's range sharing one page with the parent, whose page stays small
mm.include("collapse.inc", "collapse_fork", "madvise")
