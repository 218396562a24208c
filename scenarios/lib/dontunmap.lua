-- lib/dontunmap.lua: the set-up of the MREMAP_DONTUNMAP | MREMAP_FIXED
-- cases (scenarios/selftests/mremap_dontunmap): a source of n pages of
-- "a" moved onto the start of a destination of m pages of "X".  Returns
-- the process, source, destination and what mremap returned.
local vma = mm.include("vma.lua")
local P = mm.PAGE_SIZE
return function(n, m)
	local p = mm.spawn()
	local dst = p:mmap{len = m * P}
	vma.set(p, dst, m * P, "X")
	local src = p:mmap{len = n * P}
	vma.set(p, src, n * P, "a")
	local r = p:mremap(src, n * P, n * P, "maymove,fixed,dontunmap", dst)
	mm.observe("at_dest", r == dst)
	mm.expect_eq(r, dst, "placed where asked")
	return p, src, dst
end
