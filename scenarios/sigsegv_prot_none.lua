-- sigsegv_prot_none: loads and stores to PROT_NONE memory die of SIGSEGV
-- (the runner catches it; the process lives on), and the data survive:
-- making the range accessible again shows them unchanged.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 4 * PAGE}
p:fill(a, 4 * PAGE, 77)
p:mprotect(a, 4 * PAGE, "none")
local function sig(ok, err) return ok and "none" or (err:match("SIG%u+") or err) end
local r = sig(pcall(p.read, p, a + 8, 8))
local w = sig(pcall(p.write, p, a + PAGE, "x"))
local t = sig(pcall(p.touch, p, a + 2 * PAGE, PAGE, "r"))
mm.observe("read", r)
mm.observe("write", w)
mm.observe("touch", t)
mm.expect_eq(r, "SIGSEGV", "read of PROT_NONE")
mm.expect_eq(w, "SIGSEGV", "write of PROT_NONE")
mm.expect_eq(t, "SIGSEGV", "touch of PROT_NONE")
mm.observe("still_present", p:pagemap(a).present)
mm.expect(p:pagemap(a).present, "PROT_NONE keeps the pages mapped")
p:mprotect(a, 4 * PAGE, "rw")
mm.observe("data_intact", p:verify(a, 4 * PAGE, 77) == true)
mm.expect_eq(p:verify(a, 4 * PAGE, 77), true, "data intact, process alive")
