-- selftest uffd-unit-tests.c wp-fork.shmem: a fork child without UFFD_FEATURE_EVENT_FORK loses the uffd-wp bits, on present and zapped PTEs of shmem
mm.require("uffd_wp")
mm.require("uffd_wp_shmem")
mm.include("wp_fork.inc", "shmem", false)
