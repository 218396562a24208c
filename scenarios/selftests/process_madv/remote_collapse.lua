-- selftest process_madv.c remote_collapse: another process's MADV_COLLAPSE through process_madvise returns the whole length
mm.require("thp")
local PMD, check = mm.PMD_SIZE, mm.check
local parent = mm.spawn()
local child = parent:fork()
local m = child:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
child:touch(m, 2 * PMD, "w")		-- small pages (THP is madvise-only here)
check("bytes", parent:process_madvise(child, a, PMD, "collapse"), PMD)
check("collapsed_kb", child:smaps(a).AnonHugePages, PMD // 1024)
