-- selftest khugepaged.c collapse_max_ptes_swap.madvise.anon: MADV_COLLAPSE and max_ptes_swap: more swapped PTEs than it allows do not stop MADV_COLLAPSE
mm.include("collapse.inc", "collapse_max_ptes_swap", "madvise")
