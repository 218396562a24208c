-- selftest khugepaged.c collapse_max_ptes_none.khugepaged.anon: khugepaged and max_ptes_none: more empty PTEs than it allows stop khugepaged, as many do not
mm.include("collapse.inc", "collapse_max_ptes_none", "khugepaged")
