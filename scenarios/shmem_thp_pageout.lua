-- shmem_thp_pageout: MADV_PAGEOUT of a PMD-mapped shmem THP splits it
-- (thp_split_page, nr_shmem_hugepages back by one) and swaps its 512
-- pages out as small ones (no thp_swpout): the range maps nothing and
-- reads Swap 2048 kB; a read brings back one page, and reading the rest
-- brings back small pages (no PMD mapping again), the data intact.
mm.require("thp")
mm.require("swap")
local PMD, P = mm.PMD_SIZE, mm.PAGE_SIZE
local K = "/sys/kernel/mm/transparent_hugepage/"
mm.set(K .. "shmem_enabled", "always")
mm.swapon(16 * mm.MB)
local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
local fd = p:memfd("po", PMD)
p:mmap{addr = a, len = PMD, fd = fd, flags = "shared,fixed"}
p:fill(a, PMD, 5)
mm.observe("pmd", p:smaps(a).ShmemPmdMapped)
local names = { "thp_swpout", "thp_swpout_fallback", "thp_split_page", "pswpout", "nr_shmem_hugepages" }
local v0 = mm.vmstat()
p:madvise(a, PMD, "pageout")
local v1 = mm.vmstat()
for _, n in ipairs(names) do mm.observe(n, (v1[n] or 0) - (v0[n] or 0)) end
local s = p:smaps(a)
mm.observe("after.rss", s.Rss)
mm.observe("after.swap", s.Swap)
mm.observe("after.pmd", s.ShmemPmdMapped)
p:read(a + 3 * P, 1)
s = p:smaps(a)
mm.observe("swapin.rss", s.Rss)
mm.observe("swapin.pmd", s.ShmemPmdMapped)
mm.observe("swapin.swap", s.Swap)
mm.observe("data", p:verify(a, PMD, 5))
s = p:smaps(a)
mm.observe("all.rss", s.Rss)
mm.observe("all.pmd", s.ShmemPmdMapped)
