-- selftest uffd-unit-tests.c minor-wp.shmem: UFFDIO_CONTINUE with MODE_WP maps the page cache page write-protected through a minor+wp-registered alias; a write there is a wp fault
mm.require("uffd_wp")
mm.require("uffd_wp_shmem")
mm.include("minor.inc", true)
