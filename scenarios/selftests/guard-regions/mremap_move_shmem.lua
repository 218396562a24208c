-- selftest guard-regions.c mremap_move_shmem: guards move with the mapping (shared memfd)
mm.include("../../lib/guard.lua").mremap_move("shmem")
