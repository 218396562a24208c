-- selftest uffd-unit-tests.c sigbus-wp.shmem: with UFFD_FEATURE_SIGBUS a missing (or wp) fault is SIGBUS, answered by UFFDIO_COPY with MODE_WP and un-protection; after release a fork child gets SIGBUS on every page and no fault reaches the reader
mm.require("uffd_wp")
mm.require("uffd_wp_shmem")
mm.require("root")		-- EVENT_FORK needs CAP_SYS_PTRACE
mm.include("sigbus.inc", "shmem", true)
