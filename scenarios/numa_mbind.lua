-- numa_mbind: mbind(2) policies place a process's anonymous faults: MPOL_BIND and MPOL_PREFERRED on the last memory node put every page there, MPOL_INTERLEAVE over all nodes puts the page of virtual page number v on node v mod (number of nodes), and MPOL_MF_MOVE carries pages already there (data intact) to the last node.  Runs with any number of nodes (`mmlab run --nodes 2`; on linux, the host's); observed on 6.18 with one.
local vma = mm.include("lib/vma.lua")
local P, N = mm.PAGE_SIZE, 16
local nodes = mm.nodes()
local last = nodes[#nodes].id
local all = {}
for i, n in ipairs(nodes) do all[i] = n.id end
local p = mm.spawn()
local function region()
	local a = p:mmap{len = N * P}
	p:madvise(a, N * P, "nohugepage")
	return a
end
-- how many of the N pages from a are on the node want(i) says
local function placed(a, want)
	local ok = 0
	for i = 0, N - 1 do
		if p:page_node(a + i * P) == want(i) then ok = ok + 1 end
	end
	return ok
end
local a = region()
p:mbind{addr = a, len = N * P, mode = "bind", nodes = {last}}
p:fill(a, N * P, 1)
mm.check("bind_on_last", placed(a, function() return last end), N)
local b = region()
p:mbind{addr = b, len = N * P, mode = "preferred", nodes = {last}}
p:fill(b, N * P, 2)
mm.check("preferred_on_last", placed(b, function() return last end), N)
local c = region()
p:mbind{addr = c, len = N * P, mode = "interleave", nodes = all}
p:fill(c, N * P, 3)
mm.check("interleaved", placed(c, function(i) return all[(c // P + i) % #all + 1] end), N)
mm.check("policy", table.concat({p:get_mempolicy(c)}, " ", 1, 1), "interleave")
local d = region()
p:fill(d, N * P, 4)
mm.check("move", vma.try(p.mbind, p, {addr = d, len = N * P, mode = "bind", nodes = {last},
				       flags = "move,strict"}), "ok")
mm.check("moved_to_last", placed(d, function() return last end), N)
mm.check("data_moved", p:verify(d, N * P, 4), true)
