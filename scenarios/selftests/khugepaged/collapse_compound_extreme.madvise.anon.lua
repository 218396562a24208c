-- selftest khugepaged.c collapse_compound_extreme.madvise.anon: MADV_COLLAPSE collapses a PTE table whose entries map pages of 512 different THPs
-- run with: --mem 2G (a 1 GiB region of THPs, collapsed again each round)
mm.include("collapse.inc", "collapse_compound_extreme", "madvise")
