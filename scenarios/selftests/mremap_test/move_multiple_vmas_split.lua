-- selftest mremap_test.c move_multiple_vmas_split: moving 7 pages from the middle of two VMAs (10 pages, page 5 unmapped) splits them at both ends and keeps the data
mm.include("../../lib/mremap_multi.lua").split("maymove,fixed")
