-- selftest pagemap_ioctl.c base_tests.file: File memory testing: the same over a private mapping of a 10-page regular file on disk
mm.include("base.inc", "file", 10)
