-- vmpte_rfc_program: the test program of the PT-reclaim series (its cover
-- letter), scaled down: mmap a large NORESERVE range, then N x
-- {touch 2 MiB; MADV_DONTNEED 2 MiB}.  Before v6.14 every 2 MiB kept its
-- empty table (4 kB each: 25600 x 4 kB = 102400 kB for the series' 50 GiB);
-- with CONFIG_PT_RECLAIM each table goes with its MADV_DONTNEED.  Argument:
-- N (default 256, 512 MiB).
local PMD = mm.PMD_SIZE
local n = tonumber(mm.args[1] or 256)
local p = mm.spawn()
local base = p:status().VmPTE
local m = p:mmap{len = (n + 1) * PMD, flags = "private,anonymous,noreserve"}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, (n + 1) * PMD, "nohugepage")
local peak = 0
for i = 0, n - 1 do
  p:touch(a + i * PMD, PMD, "w")
  local d = p:status().VmPTE - base
  if d > peak then peak = d end
  p:madvise(a + i * PMD, PMD, "dontneed")
end
local after = p:status().VmPTE - base
mm.observe("peak_delta_kb", peak)
mm.observe("after_delta_kb", after)
mm.expect(peak >= 4, "a touched 2 MiB needs a table")
mm.expect(after < 4 * n // 8, "tables freed as the program goes")
