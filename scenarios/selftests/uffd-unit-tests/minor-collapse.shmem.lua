-- selftest uffd-unit-tests.c minor-collapse.shmem: after minor faults through a minor-registered shared alias of a one-PMD memfd, MADV_COLLAPSE of the alias maps it by a THP's PMD and the pages read as before
mm.include("minor.inc", false, true)
