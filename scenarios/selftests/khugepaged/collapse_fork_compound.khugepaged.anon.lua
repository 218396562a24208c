-- selftest khugepaged.c collapse_fork_compound.khugepaged.anon: khugepaged collapses a fork child's PTE-mapped shared THP; the parent keeps its THP
mm.include("collapse.inc", "collapse_fork_compound", "khugepaged")
