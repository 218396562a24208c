-- selftest guard-regions.c uffd_shmem: guards in a range registered with userfaultfd (missing) fault with SIGSEGV, without userfaults (shared memfd)
mm.include("../../lib/guard.lua").uffd("shmem")
