-- pm_swap_shmem: the PTE-marker RFC's functional test (PATCH RFC 0/4, "mm: Enable
-- PM_SWAP for shmem with PTE_MARKER"): pagemap present/swap bits of one
-- shmem page through FAULT1, PAGEOUT, FAULT2, REMOVE, PAGEOUT, REMOVE.
-- Upstream (and the model's default, /sys/kernel/mm/mmlab/shmem_pm_swap =
-- off) a paged-out shmem page leaves a none PTE: PAGEOUT shows 0 0.  With
-- the model's `marker` (the RFC) or `lookup` (its alternative) it shows
-- 0 1.  The expectations follow the model's setting, so
--   MMLAB_SET=/sys/kernel/mm/mmlab/shmem_pm_swap=marker mmlab run pm_swap_shmem.lua
-- checks the RFC's bits (on linux the knob is skipped: off).  Needs a swap
-- area (root on linux).
mm.require("swap")
local PAGE = mm.PAGE_SIZE
local mode = "off"
if mm.backend == "model" then
	mode = mm.get("/sys/kernel/mm/mmlab/shmem_pm_swap"):match("%[(%a+)%]")
end
print("shmem_pm_swap: " .. mode)
local swapped = mode == "off" and "0 0" or "0 1"
mm.swapon(64 * mm.MB)
local p = mm.spawn()
local fd = p:memfd("pm_swap", PAGE)
local s = p:mmap{len = PAGE, fd = fd, flags = "shared"}
local function bits()
	local e = p:pagemap(s)
	return (e.present and "1" or "0") .. " " .. (e.swap and "1" or "0")
end
local function step(name, want)
	local got = bits()
	mm.observe(name, got)
	mm.expect_eq(got, want, name .. " present/swap")
end
p:write(s, "1")
step("FAULT1", "1 0")
p:madvise(s, PAGE, "pageout")
step("PAGEOUT", swapped)
mm.expect_eq(p:read(s, 1), "1", "FAULT2 brings the data back")
step("FAULT2", "1 0")
p:madvise(s, PAGE, "remove")
step("REMOVE", "0 0")
p:write(s, "2")
p:madvise(s, PAGE, "pageout")
step("PAGEOUT2", swapped)
p:madvise(s, PAGE, "remove")
step("REMOVE2", "0 0")
mm.expect_eq(p:read(s, 1), "\0", "punched")
