-- selftest mseal_test.c test_seal_merge_and_split: sealed pieces split from and merge with their neighbours as any VMA flag does
local P, try, check = mm.PAGE_SIZE, mm.errno, mm.check
local vma = mm.include("../../lib/vma.lua")
local vma_at = vma.pages_at
local p = mm.spawn()
local a = p:mmap{len = 24 * P, prot = "r"}
local function at(pg) return a + pg * P end
local function layout(tag, pg, want)
	check(tag .. ".pages", vma_at(p, at(pg)), want)
	check(tag .. ".readonly", p:smaps(at(pg)).VmFlags:match("^rd mr") ~= nil, true)
end
p:mprotect(a, P, "none")
p:mprotect(at(23), P, "none")
layout("bounded", 1, 22)
check("seal_first", try(p.mseal, p, at(1), P), "ok")
layout("seal_first.head", 1, 1)
layout("seal_first.rest", 2, 21)
check("seal_last", try(p.mseal, p, at(22), P), "ok")
layout("seal_last.tail", 22, 1)
layout("seal_last.rest", 2, 20)
check("merge_prev", try(p.mseal, p, at(2), P), "ok")
layout("merge_prev", 1, 2)
check("merge_next", try(p.mseal, p, at(21), P), "ok")
layout("merge_next", 21, 2)
check("split_merge_prev", try(p.mseal, p, at(2), 2 * P), "ok")
layout("split_merge_prev", 1, 3)
check("munmap_sealed", try(p.munmap, p, at(1), P), "EPERM")
check("mprotect_sealed", try(p.mprotect, p, at(2), P, "none"), "EPERM")
check("split_merge_next", try(p.mseal, p, at(20), 2 * P), "ok")
layout("split_merge_next", 20, 3)
check("merge_both", try(p.mseal, p, at(2), 20 * P), "ok")
layout("merge_both", 1, 22)
