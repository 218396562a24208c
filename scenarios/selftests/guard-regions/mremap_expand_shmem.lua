-- selftest guard-regions.c mremap_expand_shmem: guards keep their place when the mapping grows in place and when it moves and grows (shared memfd)
mm.include("../../lib/guard.lua").mremap_expand("shmem")
