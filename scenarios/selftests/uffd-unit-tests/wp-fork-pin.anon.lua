-- selftest uffd-unit-tests.c wp-fork-pin.anon: without UFFD_FEATURE_EVENT_FORK, the copy fork makes of a pinned page and the copy a read-only pin unshares in the child drop the uffd-wp bit, on anon
mm.require("gup_test")
mm.require("uffd_wp")
mm.include("wp_fork_pin.inc", "anon", false)
