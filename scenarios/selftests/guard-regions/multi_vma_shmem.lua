-- selftest guard-regions.c multi_vma_shmem: installing and removing over VMAs with gaps acts on every VMA and reports ENOMEM; over adjacent VMAs it succeeds (shared memfd)
mm.include("../../lib/guard.lua").multi_vma("shmem")
