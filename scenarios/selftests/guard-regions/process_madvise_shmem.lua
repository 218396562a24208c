-- selftest guard-regions.c process_madvise_shmem: process_madvise on oneself installs and removes guards at the ends of three VMAs in one call (shared memfd)
mm.include("../../lib/guard.lua").process_madvise("shmem")
