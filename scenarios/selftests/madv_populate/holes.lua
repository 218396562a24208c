-- selftest madv_populate.c holes: MADV_POPULATE_(READ|WRITE) over a range with an unmapped page in the middle, at the end or at the start fails with ENOMEM
local vma = mm.include("../../lib/vma.lua")
local P = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = mm.PMD_SIZE}
p:munmap(a + P, P)			-- page 1 is a hole
for _, adv in ipairs{"populate_read", "populate_write"} do
	for _, r in ipairs{{"middle", a, mm.PMD_SIZE}, {"end", a, 2 * P},
			   {"start", a + P, P}} do
		local res = vma.try(p.madvise, p, r[2], r[3], adv)
		mm.observe(adv .. "_hole_" .. r[1], res)
		mm.expect_eq(res, "ENOMEM", adv .. " with a hole at the " .. r[1])
	end
end
