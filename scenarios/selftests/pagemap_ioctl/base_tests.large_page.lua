-- selftest pagemap_ioctl.c base_tests.large_page: Large Page testing: the same over 5120 private anonymous pages
mm.include("base.inc", "anon", 5120)
