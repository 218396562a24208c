-- selftest uffd-unit-tests.c sigbus.anon: with UFFD_FEATURE_SIGBUS a missing fault is SIGBUS, answered by UFFDIO_COPY; after release a fork child gets SIGBUS on every page and no fault reaches the reader
mm.require("root")		-- EVENT_FORK needs CAP_SYS_PTRACE
mm.include("sigbus.inc", "anon", false)
