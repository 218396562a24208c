-- selftest uffd-unit-tests.c register-ioctls.anon: the ioctls UFFDIO_REGISTER reports for each mix of missing, wp and minor modes (no mode, and minor on anonymous memory, EINVAL)
mm.require("uffd_wp")
mm.include("register_ioctls.inc", "anon")
