-- selftest pagemap_ioctl.c base_tests.huge_page: Huge page testing: the same over a THP (MADV_HUGEPAGE, written before it is registered)
mm.include("base.inc", "thp", 512)
