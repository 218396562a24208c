-- thp_fork_cow: fork copies a PMD-mapped THP's PMD (copy_huge_pmd): parent
-- and child both map it huge (AnonHugePages 2048 each, not exclusive).  A
-- write fault from the child on the shared PMD-mapped THP does not copy
-- 2 MiB: do_huge_pmd_wp_page splits the child's PMD (thp_split_pmd +1)
-- and falls back to a 4 KiB CoW of the one page written.  The child then
-- maps 511 pages of the old folio plus one new page (AnonHugePages 0, RSS
-- unchanged), the parent keeps its PMD mapping and its data.  A later
-- parent write splits the parent's PMD too and copies one page
-- (observed on 6.18).
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 2 * PMD, "hugepage")
p:fill(a, PMD, 5)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "a THP to start with")
local pfn0 = p:pagemap(a).pfn
local c = p:fork()
local pc0, cc0 = p:status(), c:status()
mm.observe("after_fork_parent_thp_kb", p:smaps(a).AnonHugePages)
mm.observe("after_fork_child_thp_kb", c:smaps(a).AnonHugePages)
mm.observe("after_fork_parent_exclusive", p:pagemap(a).exclusive)
mm.observe("after_fork_child_same_frames", c:pagemap(a + 9 * PAGE).pfn == pfn0 + 9)
mm.expect_eq(c:smaps(a).AnonHugePages, 2048, "the child maps it huge too")
mm.expect(not p:pagemap(a).exclusive, "shared after fork")

local v0 = mm.vmstat()
local w = a + 40 * PAGE
c:fill(w, PAGE, 6)
local v1 = mm.vmstat()
local pc1, cc1 = p:status(), c:status()
local cpm = c:pagemap(a, 512)
local others_old = true
for i = 1, 512 do
	if i ~= 41 and (not cpm[i].present or cpm[i].pfn ~= pfn0 + i - 1) then
		others_old = false
	end
end
mm.observe("child_write_split_pmd_delta", v1.thp_split_pmd - v0.thp_split_pmd)
mm.observe("child_write_fault_alloc_delta", v1.thp_fault_alloc - v0.thp_fault_alloc)
mm.observe("child_thp_kb", c:smaps(a).AnonHugePages)
mm.observe("parent_thp_kb", p:smaps(a).AnonHugePages)
mm.observe("child_rss_anon_delta_kb", cc1.RssAnon - cc0.RssAnon)
mm.observe("parent_rss_anon_delta_kb", pc1.RssAnon - pc0.RssAnon)
mm.observe("child_new_page", cpm[41].pfn ~= pfn0 + 40)
mm.observe("child_new_page_exclusive", cpm[41].exclusive)
mm.observe("child_other_pages_old_folio", others_old)
mm.observe("child_other_pages_exclusive", cpm[1].exclusive)
mm.expect_eq(v1.thp_split_pmd - v0.thp_split_pmd, 1, "the child's PMD split")
mm.expect_eq(v1.thp_fault_alloc - v0.thp_fault_alloc, 0, "no 2 MiB copy")
mm.expect_eq(c:smaps(a).AnonHugePages, 0, "the child maps small pages")
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "the parent keeps its PMD")
mm.expect_eq(cc1.RssAnon - cc0.RssAnon, 0, "one page swapped for another")
mm.expect(cpm[41].pfn ~= pfn0 + 40 and cpm[41].exclusive, "a 4 KiB copy")
mm.expect(others_old, "the other 511 still map the old folio")
mm.observe("child_data", c:verify(w, PAGE, 6) == true and
	c:verify(a, 40 * PAGE, 5) == true)
mm.observe("parent_data", p:verify(a, PMD, 5) == true)
mm.expect_eq(p:verify(a, PMD, 5), true, "the parent sees its data")
mm.expect_eq(c:verify(w, PAGE, 6), true, "the child sees its write")

-- the parent writes another page: its PMD splits too
local u0 = mm.vmstat()
p:fill(a + 100 * PAGE, PAGE, 7)
local u1 = mm.vmstat()
local ppm = p:pagemap(a + 100 * PAGE)
mm.observe("parent_write_split_pmd_delta", u1.thp_split_pmd - u0.thp_split_pmd)
mm.observe("parent_thp_kb_after_write", p:smaps(a).AnonHugePages)
mm.observe("parent_new_page", ppm.pfn ~= pfn0 + 100)
mm.expect_eq(u1.thp_split_pmd - u0.thp_split_pmd, 1, "the parent's PMD split")
mm.expect_eq(p:smaps(a).AnonHugePages, 0, "the parent maps small pages")
mm.expect_eq(c:verify(a + 100 * PAGE, PAGE, 5), true, "the child keeps the old data")
c:exit()
