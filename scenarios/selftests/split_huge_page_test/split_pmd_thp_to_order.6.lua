-- selftest split_huge_page_test.c split_pmd_thp_to_order.6: four PMD THPs split to order 6 through debugfs split_huge_pages
mm.include("split.inc", "split_pmd_thp_to_order", "6")
