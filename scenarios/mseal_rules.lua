-- mseal_rules: mseal(2) beyond its selftest.  A fork child's copy of a
-- sealed VMA is sealed too; mprotect to the protection it already has is
-- refused all the same (the check comes before "nothing to change");
-- MAP_FIXED_NOREPLACE over it is EEXIST as over any mapping; advice that
-- discards nothing (hugepage, willneed) and mlock still work, MADV_FREE
-- on read-only private memory does not; a walk over a writable VMA then
-- a sealed read-only one discards the first before refusing the second.
-- mm/mseal.c, mm/madvise.c (can_madvise_modify); observed on 6.18.
local P, check = mm.PAGE_SIZE, mm.check
local p = mm.spawn()
local a = p:mmap{len = 4 * P, prot = "r"}
check("mseal", mm.errno(p.mseal, p, a, 4 * P), "ok")
check("same_prot", mm.errno(p.mprotect, p, a, 4 * P, "r"), "EPERM")
check("noreplace", mm.errno(p.mmap, p, {len = P, addr = a, flags = "private,anonymous,fixed_noreplace"}), "EEXIST")
check("hugepage", mm.errno(p.madvise, p, a, 4 * P, "hugepage"), "ok")
check("willneed", mm.errno(p.madvise, p, a, 4 * P, "willneed"), "ok")
check("free", mm.errno(p.madvise, p, a, 4 * P, "free"), "EPERM")
check("mlock", mm.errno(p.mlock, p, a, 4 * P), "ok")
check("munlock", mm.errno(p.munlock, p, a, 4 * P), "ok")
local c = p:fork()
check("child_sealed", c:smaps(a).VmFlags:match("sl") ~= nil, true)
check("child_munmap", mm.errno(c.munmap, c, a, 4 * P), "EPERM")
c:exit()
-- a writable VMA just below the sealed one: DONTNEED over both
local w = p:mmap{len = 2 * P, addr = a - 2 * P, flags = "private,anonymous,fixed"}
p:fill(w, 2 * P, 5)
check("dontneed_across", mm.errno(p.madvise, p, w, 6 * P, "dontneed"), "EPERM")
check("writable_part_discarded", p:read(w, 8), string.rep("\0", 8))
