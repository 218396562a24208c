-- selftest mkdirty.c ptrace_write_thp: a FOLL_FORCE write through /proc/PID/mem into a read-only private THP range leaves it read-only: the process's own write is SIGSEGV and changes nothing
mm.require("thp")
if mm.backend == "linux" then mm.require("root") end
mm.set("/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled", "always")
local vma = mm.include("../../lib/vma.lua")
local P, H = mm.PAGE_SIZE, mm.PMD_SIZE
local p = mm.spawn()
local m = p:mmap{len = 2 * H, prot = "r"}
local a = (m + H - 1) & ~(H - 1)
p:madvise(a, H, "hugepage")
mm.expect_eq(p:read(a, 1), "\0", "the memory reads zero")
mm.observe("mem_write", p:mem_write(a, "\1"))
mm.expect_eq(p:read(a, 1), "\1", "the forced write landed")
local thp = p:pagemap(a + H - P).present
vma.thp_or_skip(thp)
mm.observe("thp_populated", thp)
mm.expect(thp, "a whole THP is populated")
local res = vma.try(p.write, p, a, "\2")
mm.observe("write", res)
mm.observe("unchanged", p:read(a, 1) == "\1")
mm.expect_eq(res, "SIGSEGV", "the THP stays read-only")
mm.expect_eq(p:read(a, 1), "\1", "the page was not modified")
