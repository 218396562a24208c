-- selftest uffd-unit-tests.c poison.anon: UFFDIO_POISON leaves a poison marker where a page is missing; every access there is SIGBUS, a copied page reads as zeroes
mm.include("poison.inc", "anon")
