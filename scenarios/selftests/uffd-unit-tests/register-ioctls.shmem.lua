-- selftest uffd-unit-tests.c register-ioctls.shmem: the ioctls UFFDIO_REGISTER reports for each mix of missing, wp and minor modes (no mode EINVAL)
mm.require("uffd_wp")
mm.require("uffd_wp_shmem")
mm.include("register_ioctls.inc", "shmem")
