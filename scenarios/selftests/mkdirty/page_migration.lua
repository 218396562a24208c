-- selftest mkdirty.c page_migration: a dirty page made read-only, then migrated by mbind(MPOL_LOCAL, MPOL_MF_MOVE) (every page moves: MPOL_LOCAL allows no node), is not mapped writable again: a write is SIGSEGV and changes nothing
if mm.backend == "linux" then mm.require("root") end	-- the PFNs of pagemap
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = P}
p:write(a, string.rep("\1", P))		-- a fresh page, dirty
p:mprotect(a, P, "r")
local pfn = p:pagemap(a).pfn
local res = vma.try(p.mbind, p, {addr = a, len = P, mode = "local", flags = "move"})
mm.observe("mbind", res)
mm.expect_eq(res, "ok", "mbind succeeded")
mm.observe("migrated", p:pagemap(a).pfn ~= pfn)
mm.expect(p:pagemap(a).pfn ~= pfn, "the page moved to another frame")
res = vma.try(p.write, p, a, "\2")
mm.observe("write", res)
mm.observe("unchanged", p:read(a, 1) == "\1")
mm.expect_eq(res, "SIGSEGV", "the migrated page stays read-only")
mm.expect_eq(p:read(a, 1), "\1", "the page was not modified")
