-- selftest uffd-unit-tests.c wp-fork.anon: a fork child without UFFD_FEATURE_EVENT_FORK loses the uffd-wp bits, on present and zapped PTEs of anon
mm.require("uffd_wp")
mm.include("wp_fork.inc", "anon", false)
