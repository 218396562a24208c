-- selftest split_huge_page_test.c split_pmd_zero_pages: zero-filled THPs split through debugfs split_huge_pages map the shared zero page
mm.include("split.inc", "split_pmd_zero_pages")
