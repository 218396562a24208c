-- selftest uffd-unit-tests.c wp-fork-pin-with-event.shmem: with UFFD_FEATURE_EVENT_FORK, the copy fork makes of a pinned page and the copy a read-only pin unshares in the child keep the uffd-wp bit, on shmem
mm.require("gup_test")
mm.require("uffd_wp")
mm.require("uffd_wp_shmem")
mm.include("wp_fork_pin.inc", "shmem", true)
