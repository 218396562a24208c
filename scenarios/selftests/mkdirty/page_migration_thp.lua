-- selftest mkdirty.c page_migration_thp: a dirty THP made read-only, then migrated by mbind(MPOL_LOCAL, MPOL_MF_MOVE), is not mapped writable again: a write to its first page is SIGSEGV and changes nothing (migrated whole: it is still a THP afterwards)
mm.require("thp")
if mm.backend == "linux" then mm.require("root") end	-- the PFNs of pagemap
mm.set("/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled", "always")
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
local pfn = p:pagemap(a).pfn
local v0 = mm.vmstat()
local res = vma.try(p.mbind, p, {addr = a, len = H, mode = "local", flags = "move"})
local v1 = mm.vmstat()
mm.observe("thp_migration_success", v1.thp_migration_success - v0.thp_migration_success)
mm.observe("thp_migration_split", v1.thp_migration_split - v0.thp_migration_split)
mm.observe("pgmigrate_success", v1.pgmigrate_success - v0.pgmigrate_success)
mm.observe("mbind", res)
mm.expect_eq(res, "ok", "mbind succeeded")
mm.observe("migrated", p:pagemap(a).pfn ~= pfn)
mm.expect(p:pagemap(a).pfn ~= pfn, "the first page moved to another frame")
mm.observe("huge_after_kb", p:smaps(a).AnonHugePages)
mm.expect_eq(p:smaps(a).AnonHugePages, H // 1024, "the THP moved whole")
res = vma.try(p.write, p, a, "\2")
mm.observe("write", res)
mm.observe("unchanged", p:read(a, 1) == "\1")
mm.expect_eq(res, "SIGSEGV", "the migrated THP stays read-only")
mm.expect_eq(p:read(a, 1), "\1", "the page was not modified")
