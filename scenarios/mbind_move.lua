-- mbind(MPOL_LOCAL) with MPOL_MF_MOVE migrates every page of the range (MPOL_LOCAL allows no node), shmem pages included, unless another process maps the page too: then only MPOL_MF_MOVE_ALL moves it, and skipping it is no MPOL_MF_STRICT failure; a pinned page (an io_uring fixed buffer) cannot move: -EIO with MPOL_MF_STRICT (the others move, the policy is set), 0 without; on a shmem VMA mbind splits the VMA and get_mempolicy reads the policy back (the model places shmem pages by the default policy whatever it is)
if mm.backend == "linux" then mm.require("root") end	-- the PFNs of pagemap
local vma = mm.include("lib/vma.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local function mbind(t) return (vma.try(p.mbind, p, t)) end
local function moved(a, pfn) return p:pagemap(a).pfn ~= pfn end
local fd = p:memfd("m", 4 * P)
local a = p:mmap{len = 4 * P, fd = fd}
p:write(a, "x")
mm.observe("shm_bind", mbind{addr = a + P, len = P, mode = "bind", nodes = {0}})
mm.observe("shm_span", vma.span(p, a, a + P))
mm.observe("shm_policy", (p:get_mempolicy(a + P)))
mm.observe("shm_policy_first", (p:get_mempolicy(a)))
mm.observe("shm_strict", mbind{addr = a, len = P, mode = "local", flags = "strict"})
local pfn = p:pagemap(a).pfn
mm.observe("shm_move", mbind{addr = a, len = P, mode = "local", flags = "move,strict"})
mm.observe("shm_moved", moved(a, pfn))
mm.observe("shm_data", p:read(a, 1))
local q = p:fork()		-- maps the shmem page only once it faults
pfn = p:pagemap(a).pfn
mm.observe("shm_after_fork_move", mbind{addr = a, len = P, mode = "local", flags = "move"})
mm.observe("shm_after_fork_moved", moved(a, pfn))
local b = p:mmap{len = 2 * P}
p:write(b, "y")
local r = p:fork()		-- shares the anonymous page
pfn = p:pagemap(b).pfn
mm.observe("anon_shared_move", mbind{addr = b, len = P, mode = "local", flags = "move,strict"})
mm.observe("anon_shared_moved", moved(b, pfn))
mm.observe("anon_shared_move_all", mbind{addr = b, len = P, mode = "local", flags = "move_all"})
mm.observe("anon_shared_moved_all", moved(b, pfn))
mm.observe("child_reads", r:read(b, 1))
mm.observe("parent_reads", p:read(b, 1))
local c = p:mmap{len = 2 * P}
p:madvise(c, 2 * P, "nohugepage")
p:write(c, string.rep("\1", 2 * P))
local pfn0, pfn1 = p:pagemap(c).pfn, p:pagemap(c + P).pfn
local ring = p:io_uring()
p:io_uring_register_buffers(ring, c, P)
mm.observe("pinned_strict_move", mbind{addr = c, len = 2 * P, mode = "local", flags = "move,strict"})
mm.observe("pinned_moved", moved(c, pfn0))
mm.observe("pinned_neighbour_moved", moved(c + P, pfn1))
mm.observe("pinned_policy", (p:get_mempolicy(c)))
mm.observe("pinned_move", mbind{addr = c, len = 2 * P, mode = "local", flags = "move"})
p:io_uring_unregister_buffers(ring)
mm.observe("unpinned_strict_move", mbind{addr = c, len = P, mode = "local", flags = "move,strict"})
mm.observe("unpinned_moved", moved(c, pfn0))
