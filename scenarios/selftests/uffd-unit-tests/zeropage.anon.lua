-- selftest uffd-unit-tests.c zeropage.anon: UFFDIO_REGISTER reports UFFDIO_ZEROPAGE; it fills the missing page with zeroes, and again over the filled page is EEXIST
mm.include("zeropage.inc", "anon")
