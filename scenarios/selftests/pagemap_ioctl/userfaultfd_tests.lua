-- selftest pagemap_ioctl.c userfaultfd_tests: pages never written, under mixed protections, are not reported written after the wp resets
local H = mm.include("wp.inc")
local p, P, check = H.p, H.P, mm.check
local N = 16
local n = N * P
local a = p:mmap{len = n, prot = "none"}
H.init(a, n)
local prots = {"rw", "r", "rw", "r", "rw", "none", "rw", "r"}
for i, prot in ipairs(prots) do
	p:mprotect(a + (i - 1) * n // 8, n // 8, prot)
end
H.reset(a + n // 16, n - 2 * (n // 8))
H.reset(a, n)
check("written", (H.written(a, n, {wp = true, vec_len = 1, max_pages = N - 2})), 0)
