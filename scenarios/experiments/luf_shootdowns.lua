-- luf_shootdowns: TLB shootdown IPIs of reclaim against the number of
-- CPUs, for a sweep (docs/experiments.md); model only (LUF is a model
-- knob).  Every CPU of the machine reads a read-only shared file mapping,
-- then CPU 0 pages it out; ROUNDS times.  Unmapping a page that other CPUs
-- may cache in their TLBs needs a shootdown IPI to each of them, so without
-- LUF the IPIs grow with the CPUs; LUF (luf/enabled = 1) defers the flush
-- of read-only pages until their frames are handed out again and flushes
-- many of them at once.
-- Observes shootdown_ipis (nr_tlb_remote_flush_received over the rounds)
-- and ipis_per_page.
local PAGE = mm.PAGE_SIZE
local PAGES = tonumber(mm.args[1] or 64)
local ROUNDS = tonumber(mm.args[2] or 8)
local N = PAGES * PAGE
mm.swapon(4 * N)
local p = mm.spawn()
local fd = p:memfd("weights", N)
local w = p:mmap{len = N, fd = fd, flags = "shared"}
p:fill(w, N, 1)
p:munmap(w, N)
local r = p:mmap{len = N, fd = fd, prot = "r", flags = "shared"}
local readers = {}
for cpu = 1, mm.nr_cpus - 1 do
	readers[#readers + 1] = p:thread(cpu)
end

local function read_all()
	local items = { {p, "verify", r, N, 1} }
	for _, t in ipairs(readers) do
		items[#items + 1] = {t, "verify", r, N, 1}
	end
	for i, res in ipairs(mm.parallel(items)) do
		mm.expect_eq(res, true, "reader " .. i .. " sees the file")
	end
end

read_all()
local ipis0 = mm.vmstat().nr_tlb_remote_flush_received
for _ = 1, ROUNDS do
	p:madvise(r, N, "pageout")
	read_all()
end
local ipis = mm.vmstat().nr_tlb_remote_flush_received - ipis0
mm.observe("shootdown_ipis", ipis)
mm.observe("ipis_per_page", ipis / (PAGES * ROUNDS))
