-- thp_split_mprotect: mprotect of one 4 KiB page in the middle of a
-- PMD-mapped THP splits the VMA in three and therefore the PMD mapping
-- (vma_adjust_trans_huge -> split_huge_pmd, thp_split_pmd +1):
-- AnonHugePages 0 in all three, RSS unchanged (nothing freed), data kept,
-- the read-only page refuses writes.  mprotect of the whole aligned 2 MiB
-- of another THP changes the PMD in place (change_huge_pmd): it stays huge,
-- no split (observed on 6.18).
mm.require("thp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local p = mm.spawn()
local m = p:mmap{len = 2 * PMD}
local a = (m + PMD - 1) & ~(PMD - 1)
p:madvise(m, 2 * PMD, "hugepage")
p:fill(a, PMD, 3)
mm.expect_eq(p:smaps(a).AnonHugePages, 2048, "a THP to start with")
local s0 = p:status()
local v0 = mm.vmstat()
local mid = a + 100 * PAGE
p:mprotect(mid, PAGE, "r")
local v1 = mm.vmstat()
local s1 = p:status()
local thp = p:smaps(a).AnonHugePages + p:smaps(mid).AnonHugePages +
	p:smaps(mid + PAGE).AnonHugePages
mm.observe("split_pmd_delta", v1.thp_split_pmd - v0.thp_split_pmd)
mm.observe("thp_kb", thp)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("mid_vma_size_kb", p:smaps(mid).Size)
mm.expect_eq(v1.thp_split_pmd - v0.thp_split_pmd, 1, "one PMD split")
mm.expect_eq(thp, 0, "no PMD mapping left")
mm.expect_eq(s1.RssAnon - s0.RssAnon, 0, "nothing freed")
mm.expect_eq(p:smaps(mid).Size, 4, "the VMA split around the page")
local ok, err = pcall(p.write, p, mid, "x")
mm.observe("ro_write", ok and "ok" or err:match("SIG%u+") or err)
mm.expect(not ok and err:match("SIGSEGV"), "read-only page")
mm.observe("data_kept", p:verify(a, PMD, 3) == true)
mm.expect_eq(p:verify(a, PMD, 3), true, "all data kept")

-- the whole 2 MiB of another THP: no split
local n = p:mmap{len = 2 * PMD}
local b = (n + PMD - 1) & ~(PMD - 1)
p:madvise(n, 2 * PMD, "hugepage")
p:fill(b, PMD, 4)
local w0 = mm.vmstat()
p:mprotect(b, PMD, "r")
local w1 = mm.vmstat()
mm.observe("whole_split_pmd_delta", w1.thp_split_pmd - w0.thp_split_pmd)
mm.observe("whole_thp_kb", p:smaps(b).AnonHugePages)
mm.expect_eq(w1.thp_split_pmd - w0.thp_split_pmd, 0, "no split")
mm.expect_eq(p:smaps(b).AnonHugePages, 2048, "still one THP")
p:mprotect(b, PMD, "rw")
mm.observe("whole_back_rw_thp_kb", p:smaps(b).AnonHugePages)
mm.expect_eq(p:smaps(b).AnonHugePages, 2048, "still one THP after rw again")
mm.expect_eq(p:verify(b, PMD, 4), true, "data kept")
