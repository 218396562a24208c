-- selftest khugepaged.c collapse_fork.khugepaged.anon: khugepaged collapses a fork child's range sharing one page with the parent, whose page stays small
mm.include("collapse.inc", "collapse_fork", "khugepaged")
