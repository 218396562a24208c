-- mm.include: a helper file relative to the including file's directory,
-- run in the sandbox; with argument "bad NAME" the include of NAME must end
-- the run (exit 2) with a message naming it.
if mm.args[1] == "bad" then
	mm.include(mm.args[2])
	error("not reached")
end
local vma = mm.include("../../scenarios/lib/vma.lua")
local p = mm.spawn()
local a = p:mmap{len = 3 * mm.PAGE_SIZE}
mm.expect_eq(vma.span(p, a, a + mm.PAGE_SIZE), "0..3", "span of the VMA")
mm.expect_eq(vma.try(p.munmap, p, a + 1, 4096), "EINVAL", "errno name")
mm.expect_eq(select(2, vma.try(function() return 7 end)), 7, "result passed on")
-- the helper's own include is relative to the helper's directory
local t = mm.include("../../scenarios/lib/fixed_noreplace.lua")
mm.expect_eq(t.map(0, 1), "ok", "a nested include works")
