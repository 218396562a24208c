-- mthp_fault_64k: multi-size THP (6.8+).  With hugepages-64kB/enabled =
-- madvise (and 2048kB never) a write fault in a MADV_HUGEPAGE range maps a
-- whole naturally aligned 64 KiB folio with 16 PTEs at once
-- (do_anonymous_page -> alloc_anon_folio): 16 present pages with
-- consecutive PFNs, the first 16-page aligned; RssAnon +64 kB; smaps
-- AnonHugePages stays 0 (it counts PMD mappings only) and vmstat
-- thp_fault_alloc does not move (PMD-size only); the per-size counter
-- hugepages-64kB/stats/anon_fault_alloc does.  With "always" a plain
-- mapping gets them too; a block whose PTEs are not all none (one page
-- already faulted) falls back to a small page; a VMA of 8 pages holds no
-- aligned 64 KiB and gets small pages (observed on 6.18).
-- The per-size stats are read with mm.get (machine-wide: with "always"
-- other processes may add to them; read-only knobs in the model's table).
local vma = mm.include("lib/vma.lua")
local present_count = vma.present
local contiguous = vma.contiguous
mm.require("thp")
mm.require("mthp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local S64 = THP .. "hugepages-64kB/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "never")
mm.set(S64 .. "enabled", "madvise")

local function stat(name) return tonumber(mm.get(S64 .. "stats/" .. name)) end

local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 2 * PMD, "hugepage")
local s0 = p:status()
local v0 = mm.vmstat()
local f0 = stat("anon_fault_alloc")
p:write(a + 21 * PAGE, "x")            -- in the block of pages 16..31
local f1 = stat("anon_fault_alloc")
local v1 = mm.vmstat()
local s1 = p:status()
local pm = p:pagemap(a, 48)
mm.observe("present", present_count(pm))
mm.observe("block_present", contiguous(pm, 17, 16))
mm.observe("block_pfn_aligned", pm[17].pfn % 16 == 0)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("thp_kb", p:smaps(a).AnonHugePages)
mm.observe("thp_fault_alloc_delta", v1.thp_fault_alloc - v0.thp_fault_alloc)
mm.observe("anon_fault_alloc_64k_delta", f1 - f0)
mm.observe("exclusive", pm[17].exclusive)
mm.expect_eq(present_count(pm), 16, "one fault maps 16 pages")
mm.expect(contiguous(pm, 17, 16), "pages 16..31, consecutive frames")
mm.expect(pm[17].pfn % 16 == 0, "a naturally aligned folio")
mm.expect_eq(s1.RssAnon - s0.RssAnon, 64, "RssAnon +64 kB")
mm.expect_eq(p:smaps(a).AnonHugePages, 0, "AnonHugePages counts PMD THPs only")
mm.expect_eq(v1.thp_fault_alloc - v0.thp_fault_alloc, 0, "thp_fault_alloc is PMD-size only")
mm.expect_eq(f1 - f0, 1, "hugepages-64kB anon_fault_alloc +1")
mm.expect_eq(p:read(a + 21 * PAGE, 1), "x", "the write landed")

-- a block with one page already there: small page
mm.set(S64 .. "enabled", "never")
p:write(a + 64 * PAGE, "a")             -- small page in block 64..79
mm.set(S64 .. "enabled", "madvise")
p:write(a + 70 * PAGE, "b")
local pm2 = p:pagemap(a + 64 * PAGE, 16)
mm.observe("partial_block_present", present_count(pm2))
mm.expect_eq(present_count(pm2), 2, "not all none: small pages")

-- "always": a plain mapping (no madvise)
mm.set(S64 .. "enabled", "always")
local n = p:mmap{len = PMD}
local b = (n + PMD - 1) & ~(PMD - 1)
local g0 = stat("anon_fault_alloc")
p:write(b + 33 * PAGE, "y")
local g1 = stat("anon_fault_alloc")
local pm3 = p:pagemap(b, 64)
mm.observe("always_present", present_count(pm3))
mm.observe("always_block", contiguous(pm3, 33, 16))
mm.observe("always_fault_alloc_grew", g1 - g0 >= 1)
mm.expect_eq(present_count(pm3), 16, "always: 16 pages")
mm.expect(contiguous(pm3, 33, 16), "pages 32..47")
mm.expect(g1 - g0 >= 1, "anon_fault_alloc grew")

-- a VMA of 8 pages (4..11 of an aligned 64-page range): no aligned
-- 64 KiB inside
local r = p:mmap{len = 2 * PMD}
local ra = (r + PMD - 1) & ~(PMD - 1)
p:munmap(r, ra + 4 * PAGE - r)
p:munmap(ra + 12 * PAGE, r + 2 * PMD - (ra + 12 * PAGE))
local q = ra + 4 * PAGE
mm.expect_eq(p:smaps(q).Size, 32, "an 8-page VMA")
p:write(q, "z")
mm.observe("small_vma_present", present_count(p:pagemap(q, 8)))
mm.expect_eq(present_count(p:pagemap(q, 8)), 1, "8-page VMA: small page")
