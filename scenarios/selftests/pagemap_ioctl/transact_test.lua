-- selftest pagemap_ioctl.c transact_test: writes by several threads between read-and-reset scans are each reported once, none lost
-- The selftest races six threads' writes against the scans for 1000
-- rounds; here two threads write together, then one scan reads and resets,
-- 20 rounds: every write must show up in the scan that follows it.
local H = mm.include("wp.inc")
local p, P, check = H.p, H.P, mm.check
local THREADS, PAGES, WRITES = 2, 32, 8
local n = THREADS * PAGES * P
local a = p:mmap{len = n}
H.init(a, n)
H.reset(a, n)
p:touch(a, n, "w")
local function count()
	local _, regs = H.written(a, n, {wp = true, vec_len = 256, max_pages = THREADS * PAGES})
	local c = 0
	for _, r in ipairs(regs) do c = c + r.pages end
	return c
end
check("first_reset", count() > 0, true)
check("second_reset", count(), 0)
local tasks = {}
for i = 1, THREADS do tasks[i] = p:thread(i % mm.nr_cpus) end
local lost, extra = 0, 0
for _ = 1, 20 do
	local work = {}
	for i, t in ipairs(tasks) do
		work[i] = {t, "touch", a + (i - 1) * PAGES * P, WRITES * P, "w"}
	end
	mm.parallel(work)
	local c = count() + count()
	if c < THREADS * WRITES then lost = lost + 1 end
	if c > THREADS * WRITES then extra = extra + 1 end
end
check("rounds_lost", lost, 0)
check("rounds_extra", extra, 0)
