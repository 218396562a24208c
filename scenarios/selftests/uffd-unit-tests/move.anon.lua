-- selftest uffd-unit-tests.c move.anon: UFFDIO_MOVE moves each page of an anonymous area into the registered one: the destination reads what the source held, the source reads as zeroes
mm.include("move.inc", "page", false)
