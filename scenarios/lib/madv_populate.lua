-- lib/madv_populate.lua: helpers of the MADV_POPULATE_(READ|WRITE) cases
-- (scenarios/selftests/madv_populate), on 2 MiB of private anonymous memory.
--   t.by_prot(prot)   maps it with prot ("r", "w"), gives both advices and
--                     observes what each returned; returns both results
--   t.fresh(advice)   on a fresh rw mapping, observes and expects nothing
--                     present before and every page present after advice
local vma = mm.include("vma.lua")
local t = {}
local N = mm.PMD_SIZE // mm.PAGE_SIZE

function t.by_prot(prot)
	local p = mm.spawn()
	local a = p:mmap{len = mm.PMD_SIZE, prot = prot}
	local r = vma.try(p.madvise, p, a, mm.PMD_SIZE, "populate_read")
	local w = vma.try(p.madvise, p, a, mm.PMD_SIZE, "populate_write")
	mm.observe("populate_read", r)
	mm.observe("populate_write", w)
	return r, w
end

function t.fresh(advice)
	local p = mm.spawn()
	local a = p:mmap{len = mm.PMD_SIZE}
	local before = vma.count(p, a, N, "present")
	local res = vma.try(p.madvise, p, a, mm.PMD_SIZE, advice)
	local after = vma.count(p, a, N, "present")
	mm.observe("present_before", before)
	mm.observe("result", res)
	mm.observe("present_after", after)
	mm.expect_eq(before, 0, "nothing populated at first")
	mm.expect_eq(res, "ok", advice)
	mm.expect_eq(after, N, "every page populated")
end

return t
