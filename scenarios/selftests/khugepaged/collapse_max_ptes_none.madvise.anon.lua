-- selftest khugepaged.c collapse_max_ptes_none.madvise.anon: MADV_COLLAPSE and max_ptes_none: more empty PTEs than it allows do not stop MADV_COLLAPSE
mm.include("collapse.inc", "collapse_max_ptes_none", "madvise")
