/*
 * test_thp.c - transparent huge pages as an mm developer expects them:
 * mapcounts of a PMD-mapped THP (seen through pagemap's exclusive bit and
 * smaps Pss/Shared/Private/AnonHugePages), after a PMD split, shared over
 * fork; partial unmaps and the deferred split queue (vmstat and per-size
 * counters); mTHP faults (16 PTEs of one 64 KiB folio) and CoW of a
 * PTE-mapped mTHP after fork; exit leaves nothing behind (free pages, page
 * tables, per-size nr_anon).  Model tests: machine_up's stale-TLB detector
 * is on.
 *
 * Mapcount rules encoded (6.18, CONFIG_PAGE_MAPCOUNT): a page's mapcount is
 * the folio's entire (PMD) mapcount plus its own PTE mappings; pagemap
 * reports a page exclusive when that is 1; smaps divides a page's Pss by
 * it and counts the page Shared_* when it is 2 or more.
 */
#include <pthread.h>
#include <sched.h>
#include "thp_util.h"

/* A 2 MiB VMA at region @i with a THP from one write fault. */
static uint64_t thp_one(struct mmlab_proc *p, int i, uint64_t seed)
{
	uint64_t a = thp_region(p, i, PMD, MADV_HUGEPAGE_);

	fill_ok(mmlab_main_task(p), a, PMD, seed);
	assert_int_equal(thp_kb(p, a), 2048);
	return a;
}

static void t_pmd_fault(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	struct mmlab_status s0 = status_of(p), s1, s2;
	uint64_t fa0 = vmstat("thp_fault_alloc"), sa0 = size_stat(2048, "anon_fault_alloc");
	uint64_t na0 = size_stat(2048, "nr_anon"), anon0 = vmstat("nr_anon_pages");
	uint64_t a = thp_region(p, 0, PMD, MADV_HUGEPAGE_);
	struct mmlab_smaps sm;

	(void)state;
	put64(t, a + 5 * PG, 0x1234);
	s1 = status_of(p);
	assert_int_equal(vmstat("thp_fault_alloc") - fa0, 1);
	assert_int_equal(size_stat(2048, "anon_fault_alloc") - sa0, 1);
	assert_int_equal(size_stat(2048, "nr_anon") - na0, 1);
	assert_int_equal(vmstat("nr_anon_pages") - anon0, 512);
	assert_int_equal(s1.RssAnon - s0.RssAnon, 2048);
	/* one fault: 512 pages of one aligned folio, each mapped once */
	assert_true(pm_contiguous(p, a, 512, 512));
	assert_int_equal(pm_count(p, a, 512, MMLAB_PM_PRESENT | MMLAB_PM_MMAP_EXCLUSIVE), 512);
	sm = smaps_of(p, a);
	assert_int_equal(sm.AnonHugePages, 2048);
	assert_int_equal(sm.Rss, 2048);
	assert_int_equal(sm.Pss, 2048);
	assert_int_equal(sm.Shared_Clean + sm.Shared_Dirty, 0);
	assert_int_equal(sm.Private_Dirty, 2048);
	/* the PMD table, its PUD table and the PTE table deposited beside
	 * the THP for a later split: as many as 4 KiB pages would need */
	assert_int_equal(s1.VmPTE - s0.VmPTE, 12);
	assert_int_equal(get64(t, a + 5 * PG), 0x1234);
	zero_ok(t, a + 6 * PG, PG);
	/* unmapped whole: the folio and the deposited table go */
	assert_int_equal(mmlab_munmap(t, a, PMD), 0);
	s2 = status_of(p);
	assert_int_equal(s2.RssAnon, s0.RssAnon);
	assert_int_equal(s2.VmPTE, s0.VmPTE);
	assert_int_equal(size_stat(2048, "nr_anon"), na0);
	assert_int_equal(vmstat("nr_anon_pages"), anon0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* Splitting the PMD keeps the folio and every mapcount: 512 PTEs, each
 * page mapped once, still exclusive; nothing queued for a split. */
static void t_pmd_split(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = thp_one(p, 0, 11);
	uint64_t pfn = pfn_of(pm1(p, a));
	uint64_t sp0 = vmstat("thp_split_pmd"), spg0 = vmstat("thp_split_page");
	uint64_t dq0 = vmstat("thp_deferred_split_page");
	uint64_t part0 = size_stat(2048, "nr_anon_partially_mapped");
	struct mmlab_status s0 = status_of(p), s1;
	struct mmlab_smaps sm;

	(void)state;
	assert_int_equal(mmlab_mprotect(t, a + 7 * PG, PG, PROT_READ), 0);
	assert_int_equal(vmstat("thp_split_pmd") - sp0, 1);
	assert_int_equal(vmstat("thp_split_page"), spg0);
	assert_int_equal(vmstat("thp_deferred_split_page"), dq0);
	assert_int_equal(size_stat(2048, "nr_anon_partially_mapped"), part0);
	assert_int_equal(thp_kb(p, a), 0);
	assert_int_equal(pfn_of(pm1(p, a)), pfn);
	assert_true(pm_contiguous(p, a, 512, 512));
	assert_int_equal(pm_count(p, a, 512, MMLAB_PM_PRESENT | MMLAB_PM_MMAP_EXCLUSIVE), 512);
	s1 = status_of(p);
	assert_int_equal(s1.RssAnon, s0.RssAnon);
	assert_int_equal(s1.VmPTE, s0.VmPTE);	/* the deposited table, now in use */
	sm = smaps_of(p, a);
	assert_int_equal(sm.Pss + smaps_of(p, a + 7 * PG).Pss + smaps_of(p, a + 8 * PG).Pss,
			 2048);
	assert_int_equal(sm.Shared_Dirty + sm.Shared_Clean, 0);
	/* mprotect back: the VMAs merge, the PMD stays split */
	assert_int_equal(mmlab_mprotect(t, a + 7 * PG, PG, RW), 0);
	sm = smaps_of(p, a);
	assert_int_equal(sm.Size, 2048);
	assert_int_equal(sm.AnonHugePages, 0);
	assert_int_equal(sm.Pss, 2048);
	verify_ok(t, a, PMD, 11);
	/* a write through the PTEs reuses the exclusive pages */
	put64(t, a + 7 * PG, 7);
	assert_int_equal(pfn_of(pm1(p, a + 7 * PG)), pfn + 7);
	assert_int_equal(mmlab_exit(p), 0);
}

/* fork shares the PMD: both processes map every page (mapcount 2), none
 * exclusive, Pss half each.  A child write splits the child's PMD and
 * copies one page: the rest stays shared at mapcount 2 (parent's PMD +
 * child's PTE).  After the child exits the parent's pages are exclusive. */
static void t_fork_mapcount(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *ct;
	uint64_t a = thp_one(p, 0, 21), pfn = pfn_of(pm1(p, a));
	uint64_t anon0 = vmstat("nr_anon_pages"), sp0, na0 = size_stat(2048, "nr_anon");
	struct mmlab_smaps ps, cs;

	uint64_t thps0 = vmstat("nr_anon_transparent_hugepages");

	(void)state;
	assert_int_equal(mmlab_fork(p, &c), 0);
	ct = mmlab_main_task(c);
	assert_int_equal(vmstat("nr_anon_pages"), anon0);
	/* one folio, PMD-mapped twice: counted once */
	assert_int_equal(vmstat("nr_anon_transparent_hugepages"), thps0);
	assert_int_equal(size_stat(2048, "nr_anon"), na0);
	ps = smaps_of(p, a);
	cs = smaps_of(c, a);
	assert_int_equal(ps.AnonHugePages, 2048);
	assert_int_equal(cs.AnonHugePages, 2048);
	assert_int_equal(ps.Pss, 1024);
	assert_int_equal(cs.Pss, 1024);
	assert_int_equal(ps.Shared_Dirty, 2048);
	assert_int_equal(cs.Shared_Dirty + cs.Shared_Clean, 2048);
	assert_int_equal(ps.Private_Dirty + ps.Private_Clean, 0);
	assert_int_equal(pm_count(p, a, 512, MMLAB_PM_MMAP_EXCLUSIVE), 0);
	assert_int_equal(pm_count(c, a, 512, MMLAB_PM_MMAP_EXCLUSIVE), 0);
	assert_int_equal(pfn_of(pm1(c, a + 300 * PG)), pfn + 300);

	sp0 = vmstat("thp_split_pmd");
	put64(ct, a + 40 * PG, 40);
	assert_int_equal(vmstat("thp_split_pmd") - sp0, 1);
	assert_int_equal(thp_kb(c, a), 0);
	assert_int_equal(thp_kb(p, a), 2048);
	/* the parent's PMD still maps it */
	assert_int_equal(vmstat("nr_anon_transparent_hugepages"), thps0);
	assert_true(pfn_of(pm1(c, a + 40 * PG)) != pfn + 40);
	assert_true(pm1(c, a + 40 * PG) & MMLAB_PM_MMAP_EXCLUSIVE);
	assert_int_equal(pm_count(c, a, 512, MMLAB_PM_MMAP_EXCLUSIVE), 1);
	/* parent's page 40 is now mapped by its PMD only, but pagemap
	 * answers for a PMD from its head page, which the child maps too
	 * (as 6.18 with CONFIG_PAGE_MAPCOUNT: observed) */
	assert_int_equal(pm_count(p, a, 512, MMLAB_PM_MMAP_EXCLUSIVE), 0);
	ps = smaps_of(p, a);
	cs = smaps_of(c, a);
	assert_int_equal(cs.Pss, 4 + 511 * 4 / 2);
	assert_int_equal(ps.Pss, 4 + 511 * 4 / 2);
	assert_int_equal(cs.Shared_Dirty + cs.Shared_Clean, 511 * 4);
	assert_int_equal(cs.Private_Dirty, 4);
	assert_int_equal(ps.Shared_Dirty + ps.Shared_Clean, 511 * 4);
	assert_int_equal(ps.Private_Dirty + ps.Private_Clean, 4);
	assert_int_equal(vmstat("nr_anon_pages"), anon0 + 1);
	verify_ok(mmlab_main_task(p), a, PMD, 21);

	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(pm_count(p, a, 512, MMLAB_PM_MMAP_EXCLUSIVE), 512);
	ps = smaps_of(p, a);
	assert_int_equal(ps.Pss, 2048);
	assert_int_equal(ps.Shared_Dirty + ps.Shared_Clean, 0);
	assert_int_equal(vmstat("nr_anon_pages"), anon0);
	/* the parent owns it alone again: a write reuses the PMD mapping */
	sp0 = vmstat("thp_split_pmd");
	put64(mmlab_main_task(p), a, 1);
	assert_int_equal(vmstat("thp_split_pmd"), sp0);
	assert_int_equal(thp_kb(p, a), 2048);
	assert_int_equal(pfn_of(pm1(p, a)), pfn);
	assert_int_equal(mmlab_exit(p), 0);
}

struct dsnap {
	uint64_t deferred, split_page, split_deferred, partial, nr_anon;
};

static struct dsnap dsnap(unsigned int kb)
{
	struct dsnap d = {
		vmstat("thp_deferred_split_page"), vmstat("thp_split_page"),
		size_stat(kb, "split_deferred"), size_stat(kb, "nr_anon_partially_mapped"),
		size_stat(kb, "nr_anon"),
	};
	return d;
}

#define DDELTA(x, y, f) ((int64_t)((y).f - (x).f))

/* Unmapping part of a THP queues it for a deferred split (once); the
 * last unmap frees it and takes it off the queue; a whole-PMD unmap
 * never queues. */
static void t_partial_munmap_deferred(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t free0 = (mmlab_quiesce(), vmstat("nr_free_pages"));
	uint64_t a = thp_region(p, 0, 3 * PMD, MADV_HUGEPAGE_);
	struct dsnap d0, d1, d2, d3, d4;
	struct mmlab_status s0, s1;

	(void)state;
	fill_ok(t, a, 3 * PMD, 31);
	assert_int_equal(thp_kb(p, a), 3 * 2048);
	d0 = dsnap(2048);
	s0 = status_of(p);
	assert_int_equal(mmlab_munmap(t, a + 10 * PG, PG), 0);
	d1 = dsnap(2048);
	s1 = status_of(p);
	assert_int_equal(DDELTA(d0, d1, deferred), 1);
	assert_int_equal(DDELTA(d0, d1, split_deferred), 1);
	assert_int_equal(DDELTA(d0, d1, partial), 1);
	assert_int_equal(DDELTA(d0, d1, split_page), 0);
	assert_int_equal(DDELTA(d0, d1, nr_anon), 0);
	assert_int_equal((int64_t)(s1.RssAnon - s0.RssAnon), -4);
	assert_int_equal(mmlab_munmap(t, a + 20 * PG, PG), 0);
	d2 = dsnap(2048);
	assert_int_equal(DDELTA(d1, d2, deferred), 0);
	assert_int_equal(DDELTA(d1, d2, partial), 0);
	/* the rest of THP 0: freed, off the queue */
	assert_int_equal(mmlab_munmap(t, a, PMD), 0);
	d3 = dsnap(2048);
	assert_int_equal(DDELTA(d2, d3, partial), -1);
	assert_int_equal(DDELTA(d2, d3, nr_anon), -1);
	/* THP 1 whole: freed, never queued */
	assert_int_equal(mmlab_munmap(t, a + PMD, PMD), 0);
	d4 = dsnap(2048);
	assert_int_equal(DDELTA(d3, d4, deferred), 0);
	assert_int_equal(DDELTA(d3, d4, nr_anon), -1);
	/* MADV_DONTNEED of part of THP 2: queued too */
	assert_int_equal(madv(p, a + 2 * PMD + 5 * PG, PG, MADV_DONTNEED_), 0);
	d1 = dsnap(2048);
	assert_int_equal(DDELTA(d4, d1, deferred), 1);
	assert_int_equal(DDELTA(d4, d1, partial), 1);
	verify_ok(t, a + 2 * PMD + 6 * PG, 506 * PG, 31);
	zero_ok(t, a + 2 * PMD + 5 * PG, PG);	/* faults a small page in */
	assert_int_equal(mmlab_munmap(t, a + 2 * PMD, PMD), 0);
	d2 = dsnap(2048);
	assert_int_equal(d2.partial, d0.partial);
	assert_int_equal(d2.nr_anon, d0.nr_anon - 3);
	mmlab_quiesce();
	assert_int_equal(vmstat_settle("nr_free_pages", free0), free0);
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * Shared over fork, the child unmaps one page: the parent's PMD still maps
 * every page, nothing is partially mapped.  When the parent's PMD goes
 * (6.18 __folio_remove_rmap at RMAP_LEVEL_PMD: partially_mapped = nr &&
 * nr < nr_pmdmapped), one page is left unmapped while 511 stay mapped by
 * the child: the folio is queued then.
 */
static void t_deferred_split_pmd_unmap(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	uint64_t a = thp_one(p, 0, 41);
	struct dsnap d0, d1, d2;

	(void)state;
	assert_int_equal(mmlab_fork(p, &c), 0);
	d0 = dsnap(2048);
	assert_int_equal(mmlab_munmap(mmlab_main_task(c), a + 3 * PG, PG), 0);
	d1 = dsnap(2048);
	assert_int_equal(DDELTA(d0, d1, deferred), 0);
	assert_int_equal(DDELTA(d0, d1, partial), 0);
	assert_int_equal(mmlab_munmap(mmlab_main_task(p), a, PMD), 0);
	d2 = dsnap(2048);
	assert_int_equal(DDELTA(d1, d2, deferred), 1);
	assert_int_equal(DDELTA(d1, d2, partial), 1);
	assert_int_equal(DDELTA(d1, d2, nr_anon), 0);
	verify_ok(mmlab_main_task(c), a + 4 * PG, 508 * PG, 41);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(size_stat(2048, "nr_anon_partially_mapped"), d0.partial);
	assert_int_equal(mmlab_exit(p), 0);
}

/* hugepages-64kB=always: one write fault maps a whole aligned 64 KiB folio
 * with 16 PTEs; per-size anon_fault_alloc counts it, PMD counters and
 * AnonHugePages do not. */
static void t_mthp_fault_64k(void **state)
{
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t a, f0, fa0, na0;
	struct mmlab_status s0, s1;
	struct mmlab_smaps sm;

	(void)state;
	thp_size(2048, "never");
	thp_size(64, "always");
	p = spawn();
	t = mmlab_main_task(p);
	a = thp_region(p, 0, PMD, 0);
	f0 = size_stat(64, "anon_fault_alloc");
	fa0 = vmstat("thp_fault_alloc");
	na0 = size_stat(64, "nr_anon");
	s0 = status_of(p);
	put64(t, a + 21 * PG, 21);
	s1 = status_of(p);
	assert_int_equal(size_stat(64, "anon_fault_alloc") - f0, 1);
	assert_int_equal(size_stat(64, "nr_anon") - na0, 1);
	assert_int_equal(vmstat("thp_fault_alloc"), fa0);
	assert_int_equal(pm_count(p, a, 64, MMLAB_PM_PRESENT), 16);
	assert_true(pm_contiguous(p, a + 16 * PG, 16, 16));
	assert_int_equal(pm_count(p, a + 16 * PG, 16, MMLAB_PM_PRESENT | MMLAB_PM_MMAP_EXCLUSIVE),
			 16);
	assert_int_equal(s1.RssAnon - s0.RssAnon, 64);
	sm = smaps_of(p, a);
	assert_int_equal(sm.AnonHugePages, 0);
	assert_int_equal(sm.Pss, 64);
	assert_int_equal(get64(t, a + 21 * PG), 21);
	zero_ok(t, a + 16 * PG, 5 * PG);
	/* a read maps the zero page; a block that is not all none gets a
	 * small page */
	assert_int_equal(get64(t, a + 64 * PG), 0);
	put64(t, a + 70 * PG, 70);
	assert_int_equal(pm_count(p, a + 64 * PG, 16, MMLAB_PM_PRESENT), 2);
	assert_int_equal(size_stat(64, "anon_fault_alloc") - f0, 1);
	assert_int_equal(mmlab_exit(p), 0);
	assert_int_equal(size_stat(64, "nr_anon"), na0);
}

/*
 * fork of a PTE-mapped mTHP: both map the 16 pages read-only, not
 * exclusive (mapcount 2).  The child's write copies one 4 KiB page (no
 * 64 KiB copy); the parent's page stays (now mapped by the parent alone:
 * exclusive in pagemap); a parent write to that page reuses it... only if
 * the whole folio is exclusive to it (6.18 wp_can_reuse_anon_folio: a
 * large folio is reused only when every reference is this mm's).  Data of
 * both stay their own.
 */
static void t_mthp_fork_cow(void **state)
{
	struct mmlab_proc *p, *c;
	struct mmlab_task *t, *ct;
	uint64_t a, pfn, f0, anon0;
	struct dsnap d0, d1;

	(void)state;
	thp_size(2048, "never");
	thp_size(64, "always");
	p = spawn();
	t = mmlab_main_task(p);
	a = thp_region(p, 0, 64 * KiB, 0);
	fill_ok(t, a, 64 * KiB, 51);
	assert_true(pm_contiguous(p, a, 16, 16));
	pfn = pfn_of(pm1(p, a));
	assert_int_equal(mmlab_fork(p, &c), 0);
	ct = mmlab_main_task(c);
	assert_int_equal(pm_count(p, a, 16, MMLAB_PM_MMAP_EXCLUSIVE), 0);
	assert_int_equal(pm_count(c, a, 16, MMLAB_PM_MMAP_EXCLUSIVE), 0);
	assert_int_equal(smaps_of(p, a).Pss, 32);
	assert_int_equal(smaps_of(c, a).Shared_Dirty + smaps_of(c, a).Shared_Clean, 64);
	f0 = size_stat(64, "anon_fault_alloc");
	anon0 = vmstat("nr_anon_pages");
	d0 = dsnap(64);
	put64(ct, a + 3 * PG, 3);
	d1 = dsnap(64);
	assert_int_equal(size_stat(64, "anon_fault_alloc"), f0);	/* no 64 KiB copy */
	assert_int_equal(vmstat("nr_anon_pages") - anon0, 1);
	assert_true(pfn_of(pm1(c, a + 3 * PG)) != pfn + 3);
	assert_true(pm1(c, a + 3 * PG) & MMLAB_PM_MMAP_EXCLUSIVE);
	assert_int_equal(pfn_of(pm1(c, a + 4 * PG)), pfn + 4);
	assert_true(pm1(p, a + 3 * PG) & MMLAB_PM_MMAP_EXCLUSIVE);
	assert_int_equal(pm_count(p, a, 16, MMLAB_PM_MMAP_EXCLUSIVE), 1);
	/* the child unmapped page 3 of the folio the parent maps whole: the
	 * folio is partially mapped in no mm... it is mapped whole by the
	 * parent: not queued */
	assert_int_equal(DDELTA(d0, d1, partial), 0);
	assert_int_equal(get64(ct, a + 3 * PG), 3);
	verify_ok(t, a, 64 * KiB, 51);
	verify_ok(ct, a + 4 * PG, 12 * PG, 51);
	/* the parent's write to its page 5: the folio is still mapped by the
	 * child too: copy */
	put64(t, a + 5 * PG, 5);
	assert_true(pfn_of(pm1(p, a + 5 * PG)) != pfn + 5);
	verify_ok(ct, a + 5 * PG, PG, 51);
	assert_int_equal(mmlab_exit(c), 0);
	verify_ok(t, a, 5 * PG, 51);
	assert_int_equal(get64(t, a + 5 * PG), 5);
	assert_int_equal(mmlab_exit(p), 0);
	assert_int_equal(size_stat(64, "nr_anon_partially_mapped"), d0.partial);
}

/*
 * Exit frees everything: THPs (whole, split, CoW'd after fork, partially
 * unmapped and queued), mTHPs, a collapsed THP and every page table,
 * including the tables deposited beside PMD mappings.  Free pages and
 * page-table pages come back to where they were before the processes.
 */
static void t_exit_frees_all(void **state)
{
	uint64_t free0 = (mmlab_quiesce(), vmstat("nr_free_pages"));
	uint64_t pt0 = vmstat("nr_page_table_pages");
	uint64_t anon0 = vmstat("nr_anon_pages");
	uint64_t na0 = size_stat(2048, "nr_anon"), na64 = size_stat(64, "nr_anon");
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a, b, m;

	(void)state;
	a = thp_region(p, 0, 4 * PMD, MADV_HUGEPAGE_);
	fill_ok(t, a, 4 * PMD, 61);
	assert_int_equal(thp_kb(p, a), 4 * 2048);
	thp_size(64, "always");
	thp_size(2048, "never");
	m = thp_region(p, 2, PMD, 0);
	fill_ok(t, m, 256 * KiB, 62);			/* 64 KiB folios */
	thp_size(2048, "inherit");
	thp_size(64, "never");
	assert_true(pm_contiguous(p, m, 16, 16));
	b = thp_region(p, 1, PMD, 0);			/* small pages */
	fill_ok(t, b, 64 * PG, 63);
	assert_int_equal(madv(p, b, PMD, MADV_COLLAPSE_), 0);
	assert_int_equal(thp_kb(p, b), 2048);
	assert_int_equal(mmlab_fork(p, &c), 0);
	put64(mmlab_main_task(c), a + 9 * PG, 9);	/* child: split + CoW */
	assert_int_equal(mmlab_munmap(mmlab_main_task(c), a + PMD + 3 * PG, PG), 0);
	assert_int_equal(madv(p, a + 2 * PMD, 8 * PG, MADV_DONTNEED_), 0);
	assert_int_equal(mmlab_mprotect(t, a + 3 * PMD, PG, PROT_READ), 0);
	put64(mmlab_main_task(c), m + 17 * PG, 17);	/* child: mTHP CoW */
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
	mmlab_quiesce();
	assert_int_equal(size_stat(2048, "nr_anon"), na0);
	assert_int_equal(size_stat(64, "nr_anon"), na64);
	assert_int_equal(size_stat(2048, "nr_anon_partially_mapped"), 0);
	assert_int_equal(vmstat("nr_anon_pages"), anon0);
	assert_int_equal(vmstat_settle("nr_page_table_pages", pt0), pt0);
	assert_int_equal(vmstat_settle("nr_free_pages", free0), free0);
}

/* VmPTE follows the deposited table: a PMD-mapped THP's table counts from
 * the fault, stays across splits, goes with the mapping; fork deposits one
 * for the child's PMD too. */
static void t_vmpte_deposit(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = thp_region(p, 0, 2 * PMD, MADV_HUGEPAGE_);
	uint64_t pt0 = vmstat("nr_page_table_pages");
	struct mmlab_status s0 = status_of(p), s1, cs;

	(void)state;
	put64(t, a, 1);
	s1 = status_of(p);
	put64(t, a + PMD, 2);
	/* the second THP adds its deposited table only */
	assert_int_equal(status_of(p).VmPTE - s1.VmPTE, 4);
	assert_int_equal(vmstat("nr_page_table_pages") - pt0, (s1.VmPTE - s0.VmPTE) / 4 + 1);
	assert_int_equal(mmlab_fork(p, &c), 0);
	cs = status_of(c);
	assert_int_equal(cs.VmPTE, status_of(p).VmPTE);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(madv(p, a + PMD, PMD, MADV_DONTNEED_), 0);
	assert_int_equal(status_of(p).VmPTE, s1.VmPTE);
	assert_int_equal(mmlab_munmap(t, a, 2 * PMD), 0);
	assert_int_equal(status_of(p).VmPTE, s0.VmPTE);
	mmlab_quiesce();
	assert_int_equal(vmstat_settle("nr_page_table_pages", pt0), pt0);
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * The first read faults on huge-zero ranges, on several CPUs at once: each
 * may allocate a huge zero folio, one wins and the others give theirs
 * back (a regression test: the losers were freed with their reference
 * still set, a BUG in the page allocator).
 */
struct hz_arg {
	struct mmlab_task *t;
	uint64_t a;
	int *go;
	int ret;
};

static void *hz_reader(void *argp)
{
	struct hz_arg *h = argp;
	uint64_t v = 1, fa;

	while (!__atomic_load_n(h->go, __ATOMIC_ACQUIRE))
		sched_yield();
	h->ret = mmlab_read(h->t, h->a, &v, 8, &fa);
	if (!h->ret && v)
		h->ret = -1;	/* the zero page reads zero */
	return NULL;
}

static void t_huge_zero_race(void **state)
{
	(void)state;
	for (int round = 0; round < 12; round++) {
		struct mmlab_proc *p;
		struct hz_arg h[4];
		pthread_t th[4];
		int go = 0;

		if (round)
			thp_machine_up();
		p = spawn();
		for (int i = 0; i < 4; i++) {
			h[i].a = thp_region(p, i, PMD, MADV_HUGEPAGE_);
			h[i].go = &go;
			if (i == 0)
				h[i].t = mmlab_main_task(p);
			else
				assert_int_equal(mmlab_thread(p, (unsigned int)i, &h[i].t), 0);
			assert_int_equal(mmlab_thread_create(&th[i], hz_reader, &h[i]), 0);
		}
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
		for (int i = 0; i < 4; i++) {
			mmlab_thread_join(th[i]);
			assert_int_equal(h[i].ret, 0);
		}
		assert_int_equal(vmstat("thp_zero_page_alloc"), 1);
		assert_int_equal(mmlab_exit(p), 0);
		machine_down();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_pmd_fault, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_pmd_split, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_fork_mapcount, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_partial_munmap_deferred, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_deferred_split_pmd_unmap, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_mthp_fault_64k, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_mthp_fork_cow, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_exit_frees_all, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_vmpte_deposit, thp_setup, teardown_machine),
		cmocka_unit_test_setup(t_huge_zero_race, thp_setup),
	};

	/* MMLAB_TEST_FILTER=t_name*: run some of them */
	if (getenv("MMLAB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("MMLAB_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
