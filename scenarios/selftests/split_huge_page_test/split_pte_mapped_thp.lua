-- selftest split_huge_page_test.c split_pte_mapped_thp: PTE-mapped THPs (one page of each mremap()ed away) split through debugfs split_huge_pages
mm.include("split.inc", "split_pte_mapped_thp")
