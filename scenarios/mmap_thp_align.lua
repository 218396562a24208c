-- mmap_thp_align: since 6.7 (6.10: only when the length is a multiple of
-- 2 MiB) a large anonymous mapping with no address hint is placed on a
-- 2 MiB boundary (__get_unmapped_area -> thp_get_unmapped_area_vmflags),
-- observed on 6.18.  This is why the PT-reclaim series' test program
-- (mmap 50G; 2 MiB DONTNEED steps) frees every table on the kernel: each
-- step covers one whole table.  A length that is not a multiple of 2 MiB
-- is placed as before.
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local a = p:mmap{len = 64 * PMD, flags = "private,anonymous,noreserve"}
local b = p:mmap{len = 64 * PMD + PAGE}
mm.observe("pmd_multiple_aligned", a % PMD == 0)
mm.observe("other_len_aligned", b % PMD == 0)
mm.expect(a % PMD == 0, "a 2 MiB-multiple anonymous mmap is THP aligned")
