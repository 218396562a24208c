-- selftest mkdirty.c ptrace_write: a FOLL_FORCE write through /proc/PID/mem into a read-only private page breaks CoW into a copy that is not writable: the process's own write is SIGSEGV and changes nothing
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = P, prot = "r"}
mm.expect_eq(p:read(a, 1), "\0", "the memory reads zero")
local n = p:mem_write(a, "\1")		-- as a debugger writes
mm.observe("mem_write", n)
mm.expect_eq(p:read(a, 1), "\1", "the forced write landed")
local res = vma.try(p.write, p, a, "\2")
mm.observe("write", res)
mm.observe("unchanged", p:read(a, 1) == "\1")
mm.expect_eq(res, "SIGSEGV", "the page stays read-only")
mm.expect_eq(p:read(a, 1), "\1", "the page was not modified")
