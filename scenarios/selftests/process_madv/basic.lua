-- selftest process_madv.c basic: process_madvise(MADV_DONTNEED) on itself over four scattered pages zeroes exactly those
local P, check = mm.PAGE_SIZE, mm.check
local p = mm.spawn()
local a = p:mmap{len = 10 * P}
p:fill(a, 10 * P, 65)
local picked = {0, 3, 5, 8}
local ranges = {}
for i, pg in ipairs(picked) do ranges[i] = {a + pg * P, P} end
check("bytes", p:process_madvise(p, ranges, "dontneed"), 4 * P)
for _, pg in ipairs(picked) do
	check("advised_zero." .. pg, p:read(a + pg * P, 8), string.rep("\0", 8))
end
for _, pg in ipairs{1, 2, 4, 6, 7, 9} do
	check("kept." .. pg, p:verify(a + pg * P, P, 65), true)
end
