-- selftest uffd-unit-tests.c move-pmd.anon: UFFDIO_MOVE of PMD-sized chunks moves each THP whole into a THP-eligible destination
mm.require("thp")
mm.include("move.inc", "pmd", false)
