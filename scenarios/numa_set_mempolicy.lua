-- numa_set_mempolicy: a thread's own policy (set_mempolicy(2)) places the anonymous faults of VMAs without a policy: MPOL_BIND on the last memory node puts every page there, a VMA's mbind policy (bind to the first node) wins over it, MPOL_INTERLEAVE over all nodes puts the page of virtual page number v on node v mod (number of nodes), a forked child and a new thread fault by the policy they inherited, MPOL_DEFAULT sends faults to the local node (the first) again.  Runs with any number of nodes (`mmlab run --nodes 2`; on linux, the host's); observed on 6.18 with one.
local P, N = mm.PAGE_SIZE, 8
local nodes = mm.nodes()
local first, last = nodes[1].id, nodes[#nodes].id
local all = {}
for i, n in ipairs(nodes) do all[i] = n.id end
local p = mm.spawn()
local function region(proc)
	local a = (proc or p):mmap{len = N * P}
	;(proc or p):madvise(a, N * P, "nohugepage")
	return a
end
-- how many of the N pages from a in proc are on the node want(i) says
local function placed(proc, a, want)
	local ok = 0
	for i = 0, N - 1 do ok = ok + (proc:page_node(a + i * P) == want(i) and 1 or 0) end
	return ok
end
local function on(node) return function() return node end end
p:set_mempolicy{mode = "bind", nodes = {last}}
local a = region()
p:fill(a, N * P, 1)
mm.check("bind_on_last", placed(p, a, on(last)), N)
local b = region()
p:mbind{addr = b, len = N * P, mode = "bind", nodes = {first}}
p:fill(b, N * P, 2)
mm.check("vma_policy_wins", placed(p, b, on(first)), N)
-- a forked child and a new thread fault by the policy they inherited
local c = p:fork()
local ca = region(c)
c:fill(ca, N * P, 3)
mm.check("child_on_last", placed(c, ca, on(last)), N)
c:exit()
local t = p:thread(1)
local ta = region()
t:fill(ta, N * P, 4)
mm.check("thread_on_last", placed(p, ta, on(last)), N)
p:set_mempolicy{mode = "interleave", nodes = all}
local d = region()
p:fill(d, N * P, 5)
mm.check("interleaved", placed(p, d, function(i) return all[(d // P + i) % #all + 1] end), N)
mm.check("thread_kept", (t:get_mempolicy()), "bind")
p:set_mempolicy{mode = "default"}
local e = region()
p:fill(e, N * P, 6)
mm.check("default_local", placed(p, e, on(first)), N)
mm.check("data", p:verify(a, N * P, 1) and p:verify(d, N * P, 5), true)
