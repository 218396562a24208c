-- selftest guard-regions.c split_merge_shmem: guards stay through VMA splits (munmap, mprotect) and merges, and are removed across split VMAs (shared memfd)
mm.include("../../lib/guard.lua").split_merge("shmem")
