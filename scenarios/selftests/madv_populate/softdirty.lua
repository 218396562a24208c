-- selftest madv_populate.c softdirty: after clearing soft-dirty bits, MADV_POPULATE_READ leaves the range clean and MADV_POPULATE_WRITE makes every page soft-dirty
-- The model has soft-dirty tracking as a switch (CONFIG_MEM_SOFT_DIRTY's
-- behaviour); a kernel without it cannot show this.
if mm.backend == "model" then mm.set("/sys/kernel/mm/mmlab/soft_dirty", 1) end
mm.require("soft_dirty")
local vma = mm.include("../../lib/vma.lua")
local p = mm.spawn()
local n = mm.PMD_SIZE // mm.PAGE_SIZE
local a = p:mmap{len = mm.PMD_SIZE}
local function dirty() return vma.count(p, a, n, "soft_dirty") end
p:clear_refs(4)
local clean = dirty()
p:madvise(a, mm.PMD_SIZE, "populate_read")
local after_read = dirty()
p:madvise(a, mm.PMD_SIZE, "populate_write")
local after_write = dirty()
mm.observe("soft_dirty_cleared", clean)
mm.observe("soft_dirty_after_read", after_read)
mm.observe("soft_dirty_after_write", after_write)
mm.expect_eq(clean, 0, "clear_refs 4 clears the range")
mm.expect_eq(after_read, 0, "populating for read does not dirty")
mm.expect_eq(after_write, n, "populating for write dirties every page")
