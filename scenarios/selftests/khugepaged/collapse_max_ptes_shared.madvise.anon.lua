-- selftest khugepaged.c collapse_max_ptes_shared.madvise.anon: MADV_COLLAPSE and max_ptes_shared: more shared PTEs than it allows do not stop MADV_COLLAPSE
mm.include("collapse.inc", "collapse_max_ptes_shared", "madvise")
