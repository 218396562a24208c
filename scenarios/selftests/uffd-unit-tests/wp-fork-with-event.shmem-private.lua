-- selftest uffd-unit-tests.c wp-fork-with-event.shmem-private: a fork child keeps the uffd-wp bits (UFFD_FEATURE_EVENT_FORK), on present and zapped PTEs of shmem-private
mm.require("uffd_wp")
mm.require("uffd_wp_shmem")
mm.require("root")		-- EVENT_FORK needs CAP_SYS_PTRACE
mm.include("wp_fork.inc", "shmem-private", true)
