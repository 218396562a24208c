-- selftest khugepaged.c collapse_max_ptes_swap.khugepaged.anon: khugepaged and max_ptes_swap: more swapped PTEs than it allows stop khugepaged, as many do not
mm.include("collapse.inc", "collapse_max_ptes_swap", "khugepaged")
