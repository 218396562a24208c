-- quickstart: the README's first scenario.  Two MADV_DONTNEED calls, each
-- over half of a 2 MiB range, empty its PTE table; 6.18 frees a table only
-- when one call covers it whole, so VmPTE does not drop.  With the
-- page-table reclaim scanner on (model only:
-- --set /sys/kernel/mm/mmlab/pt_reclaim/scan=always and scan_delay_ms=0)
-- the empty table goes.
local PMD = mm.PMD_SIZE
local p = mm.spawn()                      -- a fresh process
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)      -- 2 MiB aligned
p:madvise(a, PMD, "nohugepage")           -- small pages: one PTE table
p:touch(a, PMD, "w")                      -- 512 page faults
local before = p:status().VmPTE           -- kB of page tables
p:madvise(a, PMD // 2, "dontneed")        -- empty the table in two halves
p:madvise(a + PMD // 2, PMD // 2, "dontneed")
mm.observe("vmpte_delta_kb", p:status().VmPTE - before)
