-- selftest mremap_test.c move_multiple_vmas_dontunmap: an 11-page range of 5 VMAs with holes moves as one with MREMAP_DONTUNMAP (to a free place, next to itself, over a PROT_NONE mapping) and keeps each VMA's data
mm.include("../../lib/mremap_multi.lua").moves("maymove,fixed,dontunmap")
