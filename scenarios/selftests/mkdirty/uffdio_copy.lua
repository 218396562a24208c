-- selftest mkdirty.c uffdio_copy: a page that userfaultfd places in a read-only VMA (UFFDIO_COPY on a missing page) is not writable: a write is SIGSEGV and changes nothing
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local src = p:mmap{len = P}
p:write(src, "\1")
local a = p:mmap{len = P, prot = "r"}
p:uffd_register(a, P, "missing")
mm.observe("copied", p:uffd_copy(a, src, P))
local ev = p:uffd_events()
mm.observe("missing_events", #ev)
local res = vma.try(p.write, p, a, "\2")
mm.observe("write", res)
mm.observe("unchanged", p:read(a, 1) == "\1")
mm.expect_eq(#ev, 0, "the page was placed before any access")
mm.expect_eq(res, "SIGSEGV", "the placed page is not writable")
mm.expect_eq(p:read(a, 1), "\1", "and not modified")
