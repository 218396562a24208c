-- selftest uffd-unit-tests.c minor.shmem: a first access through a minor-registered shared alias of a populated memfd is a minor fault, answered with UFFDIO_CONTINUE; the pages read as the other mapping wrote them
mm.include("minor.inc", false)
