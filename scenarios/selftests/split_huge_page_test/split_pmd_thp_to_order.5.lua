-- selftest split_huge_page_test.c split_pmd_thp_to_order.5: four PMD THPs split to order 5 through debugfs split_huge_pages
mm.include("split.inc", "split_pmd_thp_to_order", "5")
