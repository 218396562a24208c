-- set_mempolicy(2): the calling thread's policy, its checks (mbind's), get_mempolicy without an address reading it back (MPOL_F_NODE: the node the interleave takes next; MPOL_F_MEMS_ALLOWED: the machine's nodes); fork copies it, a new thread inherits its creator's, each thread's is its own; the faults of a VMA without a policy follow it
local vma = mm.include("lib/vma.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local function sp(t, task) return (vma.try((task or p).set_mempolicy, task or p, t)) end
local function obs(name, t) mm.observe(name, sp(t)) end
local function policy(task, what)
	local pol, nodes = (task or p):get_mempolicy(nil, what)
	if type(pol) == "table" then return table.concat(pol, ",") end
	if type(nodes) == "table" then return pol .. " " .. table.concat(nodes, ",") end
	return pol
end
local function try_policy(name, what)
	local ok, v = pcall(policy, p, what)
	mm.observe(name, ok and v or vma.try(p.get_mempolicy, p, nil, what))
end

mm.observe("initial", policy())
try_policy("initial_node", "node")
mm.observe("mems_allowed", policy(p, "mems_allowed"))
-- the checks, in the kernel's order (the policy stays what it was)
obs("mode_unknown", {mode = 7, nodes = {0}})
obs("static_relative", {mode = "bind,static_nodes,relative_nodes", nodes = {0}})
obs("balancing_interleave", {mode = "interleave,numa_balancing", nodes = {0}})
obs("balancing_preferred", {mode = "preferred,numa_balancing", nodes = {0}})
obs("default_nodes", {mode = "default", nodes = {0}})
obs("bind_empty", {mode = "bind"})
obs("interleave_empty", {mode = "interleave", nodes = {}})
obs("local_nodes", {mode = "local", nodes = {0}})
obs("local_static", {mode = "local,static_nodes"})
obs("preferred_empty_static", {mode = "preferred,static_nodes"})
obs("offline_node", {mode = "bind", nodes = {7}})
obs("maxnode_page", {mode = "bind", nodes = {0}, maxnode = 4096 * 8 + 2})
obs("maxnode_cut", {mode = "bind", nodes = {1}, maxnode = 2})
mm.observe("after_errors", policy())
-- what is accepted, read back (with the interleave's next node)
for _, c in ipairs{
	{"bind", {mode = "bind", nodes = {0}}, "node"},
	{"offline_and_online", {mode = "bind", nodes = {0, 7}}},
	{"static_offline", {mode = "bind,static_nodes", nodes = {0, 5}}},
	{"relative", {mode = "interleave,relative_nodes", nodes = {3}}, "node"},
	{"balancing_bind", {mode = "bind,numa_balancing", nodes = {0, 6}}},
	{"preferred_many", {mode = "preferred_many", nodes = {0}}},
	{"weighted", {mode = "weighted_interleave", nodes = {0}}, "node"},
	{"preferred_empty", {mode = "preferred"}},
	{"maxnode_page_ok", {mode = "interleave", nodes = {0}, maxnode = 4096 * 8 + 1}, "node"},
} do
	obs(c[1], c[2])
	mm.observe(c[1] .. "_policy", policy())
	if c[3] then try_policy(c[1] .. "_node", c[3]) end
end
-- faults follow it (node 0 is all there is on one node; the model agrees)
local a = p:mmap{len = 4 * P}
p:write(a, "x")
mm.observe("fault_node", p:page_node(a))
mm.observe("vma_policy", (p:get_mempolicy(a)))
-- fork copies it; a thread inherits it; each thread's is its own
obs("bind_again", {mode = "bind", nodes = {0}})
local c = p:fork()
mm.observe("child_policy", policy(c))
mm.observe("child_set", sp({mode = "local"}, c))
mm.observe("child_changed", policy(c))
mm.observe("parent_kept", policy())
local t = p:thread(1)
mm.observe("thread_policy", policy(t))
mm.observe("thread_set", sp({mode = "preferred", nodes = {0}}, t))
mm.observe("thread_changed", policy(t))
mm.observe("main_kept", policy())
c:exit()
-- MPOL_DEFAULT removes it
obs("default", {mode = "default"})
mm.observe("default_policy", policy())
obs("default_null_mask", {mode = "default", maxnode = 1000})
