-- selftest pagemap_ioctl.c test_simple: one page, written and reset 100 times: PAGEMAP_SCAN sees each write and each reset
local H = mm.include("wp.inc")
local p, P, check = H.p, H.P, mm.check
local a = p:mmap{len = P}
H.init(a, P)
H.reset(a, P)
local good = 0
for _ = 1, 100 do
	if (H.written(a, P, {vec_len = 1})) ~= 0 then break end
	H.reset(a, P)
	p:touch(a, P, "w")
	if (H.written(a, P, {vec_len = 1})) ~= 1 then break end
	H.reset(a, P)
	good = good + 1
end
check("iterations", good, 100)
