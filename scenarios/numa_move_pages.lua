-- numa_move_pages: move_pages(2) of a process's own pages to the last
-- memory node.  Each status is the node the page is on after the call:
-- every populated page reports the target node, a page of the mapping
-- never touched reports -ENOENT (-2), an address with no mapping -EFAULT
-- (-14); the data moves with the pages and pgmigrate_success counts each
-- page moved (none when there is one node: the pages are there already).
-- A node that does not exist is ENODEV.  Runs with any number of nodes
-- (`mmlab run --nodes 2`; on linux, the host's); observed on 6.18 with one.
local PAGE, N = mm.PAGE_SIZE, 32
local nodes = mm.nodes()
local target = nodes[#nodes].id
local p = mm.spawn()
local a = p:mmap{len = (N + 1) * PAGE}
p:madvise(a, (N + 1) * PAGE, "nohugepage")
p:fill(a, N * PAGE, 7)
local before = mm.vmstat().pgmigrate_success
local st = p:move_pages(a, N + 1, target)
local moved = mm.vmstat().pgmigrate_success - before
local on_target = 0
for i = 1, N do
  if st[i] == target then on_target = on_target + 1 end
end
mm.observe("on_target", on_target)
mm.observe("untouched_status", st[N + 1])
mm.observe("data_intact", p:verify(a, N * PAGE, 7) == true)
mm.observe("page_node_last", p:page_node(a + (N - 1) * PAGE) == target)
mm.observe("page_node_untouched", p:page_node(a + N * PAGE))
mm.expect_eq(on_target, N, "every populated page is on the target node")
mm.expect_eq(st[N + 1], -2, "an untouched page: -ENOENT")
mm.expect_eq(p:verify(a, N * PAGE, 7), true, "the data moved with the pages")
if target ~= 0 then
  mm.expect(moved >= N, "pgmigrate_success counts the pages moved")
end
local hole = p:move_pages({a + 200 * mm.MB}, target)
mm.observe("hole_status", hole[1])
mm.expect_eq(hole[1], -14, "no mapping: -EFAULT")
local ok, err = pcall(p.move_pages, p, a, 1, 7)
mm.observe("bad_node", not ok and err:match("^%u+") or "ok")
mm.expect(not ok and err:match("^ENODEV"), "a node that does not exist")
