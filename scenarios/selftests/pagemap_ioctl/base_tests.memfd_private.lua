-- selftest pagemap_ioctl.c base_tests.memfd_private: File anonymous memory testing: the same over a private mapping of a 10-page memfd
mm.include("base.inc", "memfd_private", 10)
