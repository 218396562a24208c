-- selftest mkdirty.c uffdio_copy: a page that userfaultfd places in a read-only VMA (on a missing fault) is not writable: a write is SIGSEGV and changes nothing
-- The selftest places the page with UFFDIO_COPY; the scenarios' handler
-- resolves missing faults by placing a zero-filled page (UFFDIO_ZEROPAGE,
-- which allocates a fresh page where there is no zero page), the same
-- fresh-page placement into a read-only VMA.
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = P, prot = "r"}
p:uffd_register(a, P, "missing")
local first = p:read(a, 1)
local ev = p:uffd_events()
mm.observe("missing_events", #ev)
local res = vma.try(p.write, p, a, "\1")
mm.observe("write", res)
mm.observe("unchanged", p:read(a, 1) == first)
mm.expect_eq(#ev, 1, "one missing fault placed the page")
mm.expect_eq(res, "SIGSEGV", "the placed page is not writable")
mm.expect_eq(p:read(a, 1), "\0", "and not modified")
