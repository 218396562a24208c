-- numa_migration_workload: a working set that moves between memory nodes
-- while two threads keep reading it.  Each round moves the hot half of a
-- 4 MiB buffer to the other node with move_pages(2), then both threads
-- read and verify the whole buffer at once (mm.parallel).  What it shows:
-- every moved page reports its new node, the data never changes, and
-- pgmigrate_success grows by the pages moved.  The time of the run is read
-- from mm.now_ns() (the simulated clock under --deterministic) and, on the
-- model, each CPU's simulated cycles.  Needs two nodes: `mmlab run
-- --nodes 2 scenarios/numa_migration_workload.lua [ROUNDS]`.
mm.require("numa")
local PAGE = mm.PAGE_SIZE
local LEN, ROUNDS = 4 * mm.MB, tonumber(mm.args[1] or 8)
local HALF = LEN // 2
local p = mm.spawn()
local t = p:thread(1)
local a = p:mmap{len = LEN}
p:madvise(a, LEN, "nohugepage")                  -- small folios: each page moves
p:fill(a, LEN, 3)
local nodes = mm.nodes()
local src, dst = nodes[1].id, nodes[2].id
local start_ns, before = mm.now_ns(), mm.vmstat().pgmigrate_success
local misplaced, bad = 0, 0
for r = 1, ROUNDS do
  local to = r % 2 == 1 and dst or src
  local st = p:move_pages(a, HALF // PAGE, to)
  for i = 1, #st do
    if st[i] ~= to then misplaced = misplaced + 1 end
  end
  local res = mm.parallel{
    {p, "verify", a, LEN, 3},
    {t, "verify", a, LEN, 3},
  }
  if res[1] ~= true or res[2] ~= true then bad = bad + 1 end
end
local moved = mm.vmstat().pgmigrate_success - before
local elapsed = mm.now_ns() - start_ns
mm.observe("misplaced", misplaced)
mm.observe("bad_rounds", bad)
mm.observe("moved_per_round", moved // ROUNDS)
mm.expect_eq(misplaced, 0, "every moved page is on its new node")
mm.expect_eq(bad, 0, "the data never changes")
mm.expect_eq(moved, ROUNDS * HALF // PAGE, "pgmigrate_success counts each page moved")
print(string.format("%d rounds, %d pages moved, %.3f ms", ROUNDS, moved, elapsed / 1e6))
if mm.backend == "model" then
  print(string.format("simulated cycles: cpu0 %d, cpu1 %d", mm.cpu_cycles(0), mm.cpu_cycles(1)))
end
