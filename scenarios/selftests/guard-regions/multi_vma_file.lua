-- selftest guard-regions.c multi_vma_file: installing and removing over VMAs with gaps acts on every VMA and reports ENOMEM; over adjacent VMAs it succeeds (a regular file on disk, shared)
mm.include("../../lib/guard.lua").multi_vma("file")
