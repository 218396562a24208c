-- selftest mkdirty.c pte_mapped_thp: a dirty THP made read-only, then PTE-mapped by making its last page writable again, does not become writable elsewhere: a write to its first page is SIGSEGV and changes nothing
mm.require("thp")
local vma = mm.include("../../lib/vma.lua")
local P, H = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local m = p:mmap{len = 2 * H}
local a = (m + H - 1) & ~(H - 1)
p:madvise(a, H, "hugepage")
p:write(a, string.rep("\1", P))		-- a fresh THP, dirty in the PMD
p:mprotect(a, H, "r")
local thp = p:pagemap(a + H - P).present
vma.thp_or_skip(thp)
mm.observe("thp_populated", thp)
mm.expect(thp, "the write populated a whole THP")
p:mprotect(a + H - P, P, "rw")		-- the PMD is split into PTEs
mm.observe("pmd_mapped_after", p:smaps(a).AnonHugePages)
local res = vma.try(p.write, p, a, "\2")
mm.observe("write_first_page", res)
mm.observe("unchanged", p:read(a, 1) == "\1")
mm.expect_eq(res, "SIGSEGV", "the read-only part stays read-only")
mm.expect_eq(p:read(a, 1), "\1", "the page was not modified")
