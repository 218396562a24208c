-- selftest guard-regions.c multi_vma_anon: installing and removing over VMAs with gaps acts on every VMA and reports ENOMEM; over adjacent VMAs it succeeds (private anonymous)
mm.include("../../lib/guard.lua").multi_vma("anon")
