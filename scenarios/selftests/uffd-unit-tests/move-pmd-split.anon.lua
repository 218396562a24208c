-- selftest uffd-unit-tests.c move-pmd-split.anon: UFFDIO_MOVE of PMD-sized chunks into a destination that has a PTE table splits the source THP and moves its pages one by one
mm.require("thp")
mm.require("uffd_wp")
mm.include("move.inc", "pmd", true)
