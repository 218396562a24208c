-- selftest pagemap_ioctl.c base_tests.page: Page testing: written pages of 10 private anonymous pages as PAGEMAP_SCAN reports them through write-protect resets
mm.include("base.inc", "anon", 10)
