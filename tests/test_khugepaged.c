/*
 * test_khugepaged.c - khugepaged and MADV_COLLAPSE as an mm developer
 * expects them: the shared_check predicates (folio_likely_mapped_shared) seen through
 * khugepaged's max_ptes_shared decisions; the khugepaged tunables
 * (max_ptes_none/swap/shared, pages_to_scan, the referenced requirement,
 * full_scans and pages_collapsed); MADV_COLLAPSE's answers; mTHP collapse
 * with and without the creep guard (mTHP collapse).  The collapse's failure paths
 * and its race with a writer are in test_collapse_fail.c.  Model tests
 * with the stale-TLB detector on.
 *
 * Scans: the mm is registered with khugepaged once, on an empty anchor
 * region (the registration's own pass then finds nothing to do), and
 * pages_to_scan is 1, so that mmlab_khugepaged_scan(n) is exactly n passes
 * over every range (a larger budget runs several passes per wake-up).
 */
#include "khugepaged_util.h"


/* ------------------------------------------------------------------ */
/* shared_check (folio_likely_mapped_shared)                                               */

/*
 * folio_likely_mapped_shared's extreme case in both processes: THP F shared over fork; each
 * writes page 0 (its PMD splits, page 0 is its own copy) and drops pages
 * 257..511.  Each maps subpages 1..256 of F (256 shared PTEs), one own
 * page, 255 none; F's first subpage is mapped nowhere and its mapcount is
 * 512 = nr_pages.
 */
static void extreme_share_layout(struct mmlab_proc *p, struct mmlab_proc **c, uint64_t *a)
{
	*a = thp_region(p, 0, PMD, MADV_HUGEPAGE_);
	fill_ok(mmlab_main_task(p), *a, PMD, 81);
	assert_int_equal(thp_kb(p, *a), 2048);
	assert_int_equal(mmlab_fork(p, c), 0);
	fill_ok(mmlab_main_task(p), *a, PG, 83);
	fill_ok(mmlab_main_task(*c), *a, PG, 84);
	assert_int_equal(madv(p, *a + 257 * PG, 255 * PG, MADV_DONTNEED_), 0);
	assert_int_equal(madv(*c, *a + 257 * PG, 255 * PG, MADV_DONTNEED_), 0);
	assert_int_equal(pm_count(p, *a, 512, MMLAB_PM_PRESENT), 257);
	assert_int_equal(pm_count(p, *a, 512, MMLAB_PM_PRESENT | MMLAB_PM_MMAP_EXCLUSIVE), 1);
	assert_int_equal(pm_count(*c, *a, 512, MMLAB_PM_PRESENT | MMLAB_PM_MMAP_EXCLUSIVE), 1);
}

/*
 * Three mms: P's THP F is shared with C1 and C2 (forks of P); C2 writes
 * page 0 (its PMD splits), then P and C1 exit.  C2 alone maps 511 pages of
 * F, but F's two mm-id slots belonged to P and C1: the "maybe shared" bit
 * stays (6.15's MM_ID scheme has false positives with more than two mms,
 * never false negatives).  @three false: the same with P and C only.
 */
static struct mmlab_proc *left_alone(bool three, uint64_t *a)
{
	struct mmlab_proc *p = khp_spawn(), *c1, *c2;

	*a = thp_region(p, 0, PMD, MADV_HUGEPAGE_);
	fill_ok(mmlab_main_task(p), *a, PMD, 91);
	/* C1 takes F's second mm-id slot; C2, forked last, has none */
	if (three)
		assert_int_equal(mmlab_fork(p, &c1), 0);
	assert_int_equal(mmlab_fork(p, &c2), 0);
	fill_ok(mmlab_main_task(c2), *a, PG, 92);
	assert_int_equal(thp_kb(c2, *a), 0);
	if (three)
		assert_int_equal(mmlab_exit(c1), 0);
	assert_int_equal(mmlab_exit(p), 0);
	/* C2 maps F alone: pagemap says so (precise per-page mapcount 1) */
	assert_int_equal(pm_count(c2, *a, 512, MMLAB_PM_PRESENT | MMLAB_PM_MMAP_EXCLUSIVE), 512);
	return c2;
}

struct predicate_case {
	const char *check;
	bool extreme_collapses;		/* the 256-subpage case */
	bool alone3_collapses;		/* three mms, left with one */
	bool alone2_collapses;		/* two mms, left with one */
	bool exclusive_collapses;	/* never shared at all */
	bool shared_collapses;		/* 511 PTEs of F shared with a live child */
	bool mthp_reused;		/* CoW of an mTHP the child no longer maps */
};

/*
 * The predicate also decides CoW reuse of a large folio (6.18
 * wp_can_reuse_anon_folio): a 64 KiB mTHP shared over fork, the child
 * gone, the parent's write reuses it in place unless the predicate calls
 * it shared.  MADV_COLD of a range shared with a live child asks it too
 * (small pages, under the PTE lock).
 */
static void predicate_mthp_cow(const struct predicate_case *pc)
{
	struct mmlab_proc *p, *c;
	uint64_t a, pfn;

	thp_size(64, "always");
	p = spawn();
	a = thp_region(p, 0, 64 * KiB, 0);
	fill_ok(mmlab_main_task(p), a, 64 * KiB, 96);
	assert_true(pm_contiguous(p, a, 16, 16));
	pfn = pfn_of(pm1(p, a + 5 * PG));
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(mmlab_exit(c), 0);
	put64(mmlab_main_task(p), a + 5 * PG, 5);
	if ((pfn_of(pm1(p, a + 5 * PG)) == pfn) != pc->mthp_reused)
		fail_msg("%s: mTHP CoW reused %d, want %d", pc->check,
			 pfn_of(pm1(p, a + 5 * PG)) == pfn, pc->mthp_reused);
	verify_ok(mmlab_main_task(p), a, 5 * PG, 96);
	thp_size(64, "never");
	a = thp_region(p, 1, 16 * PG, 0);
	fill_ok(mmlab_main_task(p), a, 16 * PG, 97);
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(madv(p, a, 16 * PG, 20 /* MADV_COLD */), 0);
	verify_ok(mmlab_main_task(c), a, 16 * PG, 97);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

static void predicate_run(const struct predicate_case *pc)
{
	struct mmlab_proc *p, *c;
	uint64_t a, ex0;

	knob(SHARED_CHECK, pc->check);
	knob_u(KHP_DIR "max_ptes_shared", 0);
	knob_u(KHP_DIR "max_ptes_none", 511);

	/* with max_ptes_shared = 0, a "shared" answer forbids it */
	p = khp_spawn();
	extreme_share_layout(p, &c, &a);
	ex0 = vmstat("thp_scan_exceed_share_pte");
	scan(2);
	if (collapsed(p, a) != pc->extreme_collapses)
		fail_msg("%s: shared-THP case: parent collapsed %d, want %d", pc->check,
			 collapsed(p, a), pc->extreme_collapses);
	assert_int_equal(collapsed(c, a), pc->extreme_collapses);
	if (!pc->extreme_collapses)
		assert_true(vmstat("thp_scan_exceed_share_pte") > ex0);
	verify_ok(mmlab_main_task(p), a, PG, 83);
	verify_ok(mmlab_main_task(p), a + PG, 256 * PG, 81);
	verify_ok(mmlab_main_task(c), a, PG, 84);
	verify_ok(mmlab_main_task(c), a + PG, 256 * PG, 81);
	zero_ok(mmlab_main_task(c), a + 300 * PG, PG);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);

	c = left_alone(true, &a);
	scan(2);
	if (collapsed(c, a) != pc->alone3_collapses)
		fail_msg("%s: three mms, one left: collapsed %d, want %d", pc->check,
			 collapsed(c, a), pc->alone3_collapses);
	verify_ok(mmlab_main_task(c), a, PG, 92);
	verify_ok(mmlab_main_task(c), a + PG, PMD - PG, 91);
	assert_int_equal(mmlab_exit(c), 0);

	c = left_alone(false, &a);
	scan(2);
	if (collapsed(c, a) != pc->alone2_collapses)
		fail_msg("%s: two mms, one left: collapsed %d, want %d", pc->check,
			 collapsed(c, a), pc->alone2_collapses);
	assert_int_equal(mmlab_exit(c), 0);

	/* never shared: 512 small pages of one mm */
	p = khp_spawn();
	a = small_region(p, 0, 512, 93);
	scan(2);
	assert_int_equal(collapsed(p, a), pc->exclusive_collapses);
	verify_ok(mmlab_main_task(p), a, PMD, 93);
	assert_int_equal(mmlab_exit(p), 0);

	/* really shared: the child copied one page, 511 PTEs map F, which
	 * the parent maps too; max_ptes_shared 256 */
	knob_u(KHP_DIR "max_ptes_shared", 256);
	p = khp_spawn();
	a = thp_region(p, 0, PMD, MADV_HUGEPAGE_);
	fill_ok(mmlab_main_task(p), a, PMD, 94);
	assert_int_equal(mmlab_fork(p, &c), 0);
	fill_ok(mmlab_main_task(c), a + 7 * PG, PG, 95);
	scan(2);
	assert_int_equal(collapsed(c, a), pc->shared_collapses);
	assert_int_equal(thp_kb(p, a), 2048);
	verify_ok(mmlab_main_task(c), a + 7 * PG, PG, 95);
	verify_ok(mmlab_main_task(c), a + 8 * PG, 504 * PG, 94);
	verify_ok(mmlab_main_task(p), a, PMD, 94);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);

	predicate_mthp_cow(pc);
}

/* One test per predicate: which of predicate_run's cases collapse. */
#define PREDICATE_TEST(name, ...)					\
	static void t_shared_check_##name(void **state)			\
	{								\
		static const struct predicate_case pc = { #name, __VA_ARGS__ }; \
									\
		(void)state;						\
		predicate_run(&pc);					\
	}

/* 6.18: the mm-id slots; a false positive only with more than two mms */
PREDICATE_TEST(maybe, false, false, true, true, false, true)
/* before 6.15: the first subpage decides: folio_likely_mapped_shared's false negative */
PREDICATE_TEST(likely, true, true, true, true, false, true)
/* an rmap walk: never wrong */
PREDICATE_TEST(precise, false, true, true, true, false, true)
/* injection (John Hubbard's black-box idea): "true" forbids every
 * collapse under max_ptes_shared=0, "false" allows the shared ones */
PREDICATE_TEST(always_true, false, false, false, false, false, false)
PREDICATE_TEST(always_false, true, true, true, true, true, true)

/* ------------------------------------------------------------------ */
/* khugepaged tunables                                                 */

static void t_max_ptes_none(void **state)
{
	struct mmlab_proc *p = khp_spawn();
	uint64_t a, b, ex0, pc0;

	(void)state;
	knob_u(KHP_DIR "max_ptes_none", 100);
	a = small_region(p, 0, 411, 1);		/* 101 none */
	b = small_region(p, 1, 412, 2);		/* 100 none */
	ex0 = vmstat("thp_scan_exceed_none_pte");
	pc0 = knob_u64(KHP_DIR "pages_collapsed");
	scan(2);
	assert_false(collapsed(p, a));
	assert_true(collapsed(p, b));
	assert_true(vmstat("thp_scan_exceed_none_pte") > ex0);
	assert_int_equal(knob_u64(KHP_DIR "pages_collapsed") - pc0, 1);
	verify_ok(mmlab_main_task(p), b, 412 * PG, 2);
	zero_ok(mmlab_main_task(p), b + 412 * PG, 100 * PG);
	/* max_ptes_none 0: one none PTE is too many */
	knob_u(KHP_DIR "max_ptes_none", 0);
	a = small_region(p, 2, 511, 3);
	b = small_region(p, 3, 512, 4);
	scan(2);
	assert_false(collapsed(p, a));
	assert_true(collapsed(p, b));
	verify_ok(mmlab_main_task(p), b, PMD, 4);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_max_ptes_swap(void **state)
{
	struct mmlab_proc *p;
	uint64_t a, b, ex0;

	(void)state;
	assert_true(mmlab_swapon(64 * MiB) >= 0);
	p = khp_spawn();
	knob_u(KHP_DIR "max_ptes_swap", 3);
	a = small_region(p, 0, 512, 5);
	b = small_region(p, 1, 512, 6);
	assert_int_equal(madv(p, a + 100 * PG, 4 * PG, MADV_PAGEOUT_), 0);
	assert_int_equal(madv(p, b + 100 * PG, 3 * PG, MADV_PAGEOUT_), 0);
	assert_int_equal(pm_count(p, a, 512, MMLAB_PM_SWAP), 4);
	assert_int_equal(pm_count(p, b, 512, MMLAB_PM_SWAP), 3);
	ex0 = vmstat("thp_scan_exceed_swap_pte");
	scan(2);
	assert_false(collapsed(p, a));
	assert_int_equal(pm_count(p, a, 512, MMLAB_PM_SWAP), 4);	/* not swapped in */
	assert_true(vmstat("thp_scan_exceed_swap_pte") > ex0);
	assert_true(collapsed(p, b));
	assert_int_equal(pm_count(p, b, 512, MMLAB_PM_SWAP), 0);
	verify_ok(mmlab_main_task(p), a, PMD, 5);
	verify_ok(mmlab_main_task(p), b, PMD, 6);
	assert_int_equal(mmlab_exit(p), 0);
}

/* selftests' collapse_max_ptes_shared: 257 shared > 256, 256 collapses */
static void t_max_ptes_shared(void **state)
{
	struct mmlab_proc *p = khp_spawn(), *c;
	struct mmlab_task *ct;
	uint64_t a, ex0;

	(void)state;
	knob_u(KHP_DIR "max_ptes_shared", 256);
	a = thp_region(p, 0, 2 * PMD, MADV_HUGEPAGE_);
	fill_ok(mmlab_main_task(p), a, 2 * PMD, 7);
	assert_int_equal(mmlab_fork(p, &c), 0);
	ct = mmlab_main_task(c);
	fill_ok(ct, a, 255 * PG, 8);
	fill_ok(ct, a + PMD, 256 * PG, 8);
	ex0 = vmstat("thp_scan_exceed_share_pte");
	scan(2);
	assert_false(collapsed(c, a));
	assert_true(vmstat("thp_scan_exceed_share_pte") > ex0);
	assert_true(collapsed(c, a + PMD));
	assert_int_equal(thp_kb(p, a), 2 * 2048);
	verify_ok(ct, a + PMD, 256 * PG, 8);
	verify_ok(ct, a + PMD + 256 * PG, 256 * PG, 7);
	verify_ok(mmlab_main_task(p), a, 2 * PMD, 7);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * pages_to_scan bounds a pass: the registration's pass (the first mm
 * registered wakes khugepaged, khugepaged_wake_on_enter) with 512 collapses
 * one of three ranges;
 * with 4096 all three.  full_scans counts completed passes over all mms,
 * pages_collapsed khugepaged's collapses (not MADV_COLLAPSE's).
 */
static void pages_to_scan_case(unsigned int budget, unsigned int want)
{
	struct mmlab_proc *p = spawn();
	uint64_t a, pc0 = knob_u64(KHP_DIR "pages_collapsed"), fs0;
	unsigned int n = 0;

	knob_u(KHP_DIR "pages_to_scan", budget);
	knob("/sys/kernel/mm/mmlab/khugepaged_wake_on_enter", "1");
	a = thp_region(p, 0, 3 * PMD, 0);
	fill_ok(mmlab_main_task(p), a, 3 * PMD, 9);	/* enabled=madvise: small pages */
	fs0 = knob_u64(KHP_DIR "full_scans");
	assert_int_equal(madv(p, a, 3 * PMD, MADV_HUGEPAGE_), 0);	/* registers */
	for (int i = 0; i < 3; i++)
		n += pm_contiguous(p, a + i * PMD, 512, 512);
	assert_int_equal(n, want);
	assert_int_equal(thp_kb(p, a), 2048 * want);
	assert_int_equal(knob_u64(KHP_DIR "pages_collapsed") - pc0, want);
	if (want < 3)
		assert_int_equal(knob_u64(KHP_DIR "full_scans"), fs0);
	knob_u(KHP_DIR "pages_to_scan", 1);	/* one pass per wake-up */
	fs0 = knob_u64(KHP_DIR "full_scans");
	scan(1);
	assert_int_equal(knob_u64(KHP_DIR "full_scans") - fs0, 1);
	for (int i = 0; i < 3; i++)
		assert_true(pm_contiguous(p, a + i * PMD, 512, 512));
	assert_int_equal(thp_kb(p, a), 3 * 2048);
	assert_int_equal(knob_u64(KHP_DIR "pages_collapsed") - pc0, 3);
	verify_ok(mmlab_main_task(p), a, 3 * PMD, 9);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_pages_to_scan(void **state)
{
	(void)state;
	pages_to_scan_case(512, 1);
	pages_to_scan_case(4096, 3);
	assert_int_equal(mmlab_knob_set(KHP_DIR "full_scans", "0"), -EACCES);
	assert_int_equal(mmlab_knob_set(KHP_DIR "pages_collapsed", "0"), -EACCES);
}

static void t_full_scans_and_pages_collapsed(void **state)
{
	struct mmlab_proc *p = khp_spawn();
	uint64_t a, b, fs0, pc0;

	(void)state;
	a = small_region(p, 0, 300, 10);
	b = thp_region(p, 1, PMD, 0);		/* not khugepaged's (madvise mode) */
	fill_ok(mmlab_main_task(p), b, 300 * PG, 11);
	fs0 = knob_u64(KHP_DIR "full_scans");
	pc0 = knob_u64(KHP_DIR "pages_collapsed");
	assert_int_equal(madv(p, b, PMD, MADV_COLLAPSE_), 0);	/* not khugepaged's */
	assert_int_equal(knob_u64(KHP_DIR "pages_collapsed"), pc0);
	scan(3);
	assert_int_equal(knob_u64(KHP_DIR "full_scans") - fs0, 3);
	assert_int_equal(knob_u64(KHP_DIR "pages_collapsed") - pc0, 1);
	assert_true(collapsed(p, a));
	scan(1);	/* nothing left: no more */
	assert_int_equal(knob_u64(KHP_DIR "pages_collapsed") - pc0, 1);
	assert_int_equal(mmlab_exit(p), 0);
	/* no mm registered: returns at once, no pass counted */
	fs0 = knob_u64(KHP_DIR "full_scans");
	scan(2);
	assert_int_equal(knob_u64(KHP_DIR "full_scans"), fs0);
}

/* khugepaged wants a young PTE (or a referenced folio); MADV_COLLAPSE
 * does not */
static void t_referenced(void **state)
{
	struct mmlab_proc *p = khp_spawn();
	uint64_t a, b, pfn;

	(void)state;
	a = thp_region(p, 0, PMD, MADV_NOHUGEPAGE_);
	b = thp_region(p, 1, PMD, 0);		/* not khugepaged's (madvise mode) */
	fill_ok(mmlab_main_task(p), a, 64 * PG, 12);
	fill_ok(mmlab_main_task(p), b, 64 * PG, 13);
	assert_int_equal(mmlab_clear_refs(p, 1), 0);
	pfn = pfn_of(pm1(p, a));
	assert_int_equal(madv(p, a, PMD, MADV_HUGEPAGE_), 0);
	scan(2);
	assert_false(collapsed(p, a));
	assert_int_equal(pfn_of(pm1(p, a)), pfn);
	assert_int_equal(madv(p, b, PMD, MADV_COLLAPSE_), 0);
	assert_true(collapsed(p, b));
	/* one access makes a PTE young */
	assert_int_equal(get64(mmlab_main_task(p), a + 40 * PG) != 0, 1);
	scan(1);
	assert_true(collapsed(p, a));
	verify_ok(mmlab_main_task(p), a, 64 * PG, 12);
	verify_ok(mmlab_main_task(p), b, 64 * PG, 13);
	assert_int_equal(mmlab_exit(p), 0);
}

/* ------------------------------------------------------------------ */
/* MADV_COLLAPSE                                                       */

static void t_madv_collapse_errors(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a, pfn, e;

	(void)state;
	/* VM_NOHUGEPAGE: EINVAL, whatever THP "enabled" says */
	knob(THP_DIR "enabled", "always");
	a = thp_region(p, 0, PMD, MADV_NOHUGEPAGE_);
	fill_ok(t, a, 32 * PG, 20);
	pfn = pfn_of(pm1(p, a));
	assert_int_equal(madv(p, a, PMD, MADV_COLLAPSE_), -EINVAL);
	assert_int_equal(pfn_of(pm1(p, a)), pfn);
	assert_int_equal(thp_kb(p, a), 0);
	knob(THP_DIR "enabled", "madvise");

	/* no page table under the PMD: EINVAL (SCAN_PMD_NONE), stays empty */
	a = thp_region(p, 1, 2 * PMD, 0);
	fill_ok(t, a + PMD, PG, 21);			/* an anon_vma */
	assert_int_equal(madv(p, a, PMD, MADV_COLLAPSE_), -EINVAL);
	assert_int_equal(pm_count(p, a, 512, MMLAB_PM_PRESENT), 0);

	/* no anon_vma (only zero pages read): EINVAL */
	a = thp_region(p, 2, PMD, 0);
	assert_int_equal(get64(t, a), 0);
	e = pm1(p, a);
	assert_int_equal(madv(p, a, PMD, MADV_COLLAPSE_), -EINVAL);
	assert_int_equal(pm1(p, a), e);

	/* VMAs smaller than a PMD: EINVAL, also when one ends or starts at
	 * a PMD boundary (thp_vma_allowable_order: no PMD fits) */
	a = thp_region(p, 3, 16 * PG, 0);
	fill_ok(t, a, 16 * PG, 22);
	assert_int_equal(madv(p, a, 16 * PG, MADV_COLLAPSE_), -EINVAL);
	a = map_anon(p, THP_BASE + 4 * GiB + PMD - 16 * PG, 16 * PG, RW, 0);
	fill_ok(t, a, 16 * PG, 23);
	assert_int_equal(madv(p, a, 16 * PG, MADV_COLLAPSE_), -EINVAL);
	a = map_anon(p, THP_BASE + 5 * GiB + 8 * PG, 16 * PG, RW, 0);
	fill_ok(t, a, 16 * PG, 24);
	assert_int_equal(madv(p, a, 16 * PG, MADV_COLLAPSE_), -EINVAL);
	verify_ok(t, a, 16 * PG, 24);

	/* a range inside one PMD of a big VMA: EINVAL; one whose rounded-in
	 * start equals its rounded-in end: 0, nothing done */
	a = thp_region(p, 6, 2 * PMD, 0);
	fill_ok(t, a, 2 * PMD, 25);
	assert_int_equal(madv(p, a + PG, PMD - 2 * PG, MADV_COLLAPSE_), -EINVAL);
	assert_int_equal(madv(p, a + PG, PMD, MADV_COLLAPSE_), 0);
	assert_int_equal(thp_kb(p, a), 0);
	/* a range with a hole: ENOMEM (after collapsing what it could) */
	assert_int_equal(mmlab_munmap(t, a + PMD, PMD), 0);
	assert_int_equal(madv(p, a, 2 * PMD, MADV_COLLAPSE_), -ENOMEM);
	assert_true(collapsed(p, a));
	verify_ok(t, a, PMD, 25);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_madv_collapse_success(void **state)
{
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t a, b, ca0, pc0;
	struct mmlab_status s0, s1;

	(void)state;
	assert_true(mmlab_swapon(64 * MiB) >= 0);
	p = spawn();
	t = mmlab_main_task(p);
	knob_u(KHP_DIR "max_ptes_swap", 0);		/* ignored by MADV_COLLAPSE */
	knob_u(KHP_DIR "max_ptes_none", 0);		/* ignored too */
	/* 100 swapped pages (more than max_ptes_swap), the rest present */
	a = thp_region(p, 0, PMD, 0);
	fill_ok(t, a, PMD, 30);
	assert_int_equal(madv(p, a + 50 * PG, 100 * PG, MADV_PAGEOUT_), 0);
	assert_int_equal(pm_count(p, a, 512, MMLAB_PM_SWAP), 100);
	assert_int_equal(mmlab_clear_refs(p, 1), 0);	/* nothing referenced */
	ca0 = vmstat("thp_collapse_alloc");
	pc0 = knob_u64(KHP_DIR "pages_collapsed");
	assert_int_equal(madv(p, a, PMD, MADV_COLLAPSE_), 0);
	assert_true(collapsed(p, a));
	assert_int_equal(pm_count(p, a, 512, MMLAB_PM_PRESENT | MMLAB_PM_MMAP_EXCLUSIVE), 512);
	assert_int_equal(status_of(p).VmSwap, 0);
	assert_int_equal(vmstat("thp_collapse_alloc") - ca0, 1);
	assert_int_equal(knob_u64(KHP_DIR "pages_collapsed"), pc0);
	verify_ok(t, a, PMD, 30);

	/* 10 pages present, the rest never touched: zero-filled */
	b = thp_region(p, 1, PMD, 0);
	fill_ok(t, b + 200 * PG, 10 * PG, 31);
	s0 = status_of(p);
	assert_int_equal(madv(p, b, PMD, MADV_COLLAPSE_), 0);
	s1 = status_of(p);
	assert_true(collapsed(p, b));
	assert_int_equal(s1.RssAnon - s0.RssAnon, 2048 - 40);
	verify_ok(t, b + 200 * PG, 10 * PG, 31);
	zero_ok(t, b, 200 * PG);
	zero_ok(t, b + 210 * PG, 302 * PG);
	/* already a THP: 0 again, nothing changes */
	assert_int_equal(madv(p, b, PMD, MADV_COLLAPSE_), 0);
	assert_int_equal(vmstat("thp_collapse_alloc") - ca0, 2);
	assert_int_equal(mmlab_exit(p), 0);
}

/* ------------------------------------------------------------------ */
/* registration with khugepaged (khugepaged_enter_vma, khugepaged_fork) */

/* One pass of khugepaged: true when it scanned something, i.e. an mm is
 * registered (and an order khugepaged collapses into is enabled). */
static bool registered(void)
{
	uint64_t fs0 = knob_u64(KHP_DIR "full_scans");

	scan(1);
	return knob_u64(KHP_DIR "full_scans") != fs0;
}

/*
 * 6.18 registers an mm only where the PMD order is enabled, allowed in the
 * VMA and a PMD fits in it: a range set up while hugepages-2048kB was
 * never stays small after it is enabled (as on linux), and so does one in
 * a VMA no aligned 2 MiB fits in (MADV_HUGEPAGE and faults there), until
 * MADV_HUGEPAGE of a range that holds a PMD registers the mm.
 */
static void t_enter_pmd_rule(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a, b;

	(void)state;
	thp_size(2048, "never");
	a = thp_region(p, 0, PMD, MADV_HUGEPAGE_);
	fill_ok(t, a, PMD, 20);		/* small pages */
	thp_size(2048, "inherit");
	assert_false(registered());
	assert_int_equal(thp_kb(p, a), 0);
	/* 2 MiB from +1 MiB: no aligned PMD inside */
	b = map_anon(p, THP_BASE + GiB + PMD / 2, PMD, RW, 0);
	assert_int_equal(madv(p, b, PMD, MADV_HUGEPAGE_), 0);
	fill_ok(t, b, PMD, 21);
	assert_false(registered());
	assert_int_equal(thp_kb(p, a), 0);
	/* now a range a PMD fits in: the mm is scanned, a collapses */
	thp_region(p, 2, PMD, MADV_HUGEPAGE_);
	assert_true(registered());
	assert_true(collapsed(p, a));
	assert_int_equal(thp_kb(p, b), 0);
	verify_ok(t, a, PMD, 20);
	verify_ok(t, b, PMD, 21);
	assert_int_equal(mmlab_exit(p), 0);
}

/* khugepaged_fork: the child of a registered mm is registered, whatever
 * the THP modes are at fork time */
static void t_enter_fork(void **state)
{
	struct mmlab_proc *p = khp_spawn(), *c;
	uint64_t a;

	(void)state;
	a = small_region(p, 0, 512, 22);
	thp_size(2048, "never");
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(mmlab_exit(p), 0);
	fill_ok(mmlab_main_task(c), a, PMD, 23);	/* young PTEs (fork leaves them old) */
	thp_size(2048, "inherit");
	assert_true(registered());
	assert_true(collapsed(c, a));
	verify_ok(mmlab_main_task(c), a, PMD, 23);
	assert_int_equal(mmlab_exit(c), 0);
}

/* ------------------------------------------------------------------ */
/* mTHP collapse (mTHP collapse)                                              */

/* mTHP sizes 64, 128, 256 KiB for madvised ranges, no 2 MiB; khugepaged
 * collapses into them (mthp_collapse, the mTHP collapse series) */
static struct mmlab_proc *mthp_spawn(unsigned int max_none, int guard)
{
	struct mmlab_proc *p = khp_spawn();

	knob_u(MTHP_COLLAPSE, 1);
	thp_size(2048, "never");
	thp_size(64, "madvise");
	thp_size(128, "madvise");
	thp_size(256, "madvise");
	knob_u(KHP_DIR "max_ptes_none", max_none);
	knob_u(CREEP_GUARD, guard);
	return p;
}

/* Small pages of region @i at the pages in [from, to), the rest none
 * (written while mTHP faults are off) */
static uint64_t mthp_small(struct mmlab_proc *p, int i, unsigned int from, unsigned int to,
			   uint64_t seed)
{
	uint64_t a = thp_region(p, i, PMD, MADV_NOHUGEPAGE_);

	fill_ok(mmlab_main_task(p), a + from * PG, (uint64_t)(to - from) * PG, seed);
	assert_int_equal(madv(p, a, PMD, MADV_HUGEPAGE_), 0);
	return a;
}

/*
 * mthp_collapse = 0 (6.18): with hugepages-64kB alone enabled MADV_HUGEPAGE
 * registers nothing and khugepaged collapses nothing; enabling 2 MiB then
 * does not scan the range either (the mm is not registered).  With the
 * series' mthp_collapse = 1 the same advice registers the mm and the
 * 64 KiB chunk collapses.
 */
static void t_mthp_collapse_off(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a, ca64 = collapse_alloc(64);

	(void)state;
	thp_size(2048, "never");
	thp_size(64, "madvise");
	a = mthp_small(p, 0, 0, 16, 30);	/* one whole 64 KiB chunk */
	assert_false(registered());
	assert_int_equal(collapse_alloc(64), ca64);
	assert_int_equal(size_stat(64, "nr_anon"), 0);
	thp_size(2048, "inherit");
	assert_false(registered());
	assert_int_equal(thp_kb(p, a), 0);
	assert_int_equal(collapse_alloc(64), ca64);
	thp_size(2048, "never");
	knob_u(MTHP_COLLAPSE, 1);
	assert_int_equal(madv(p, a, PMD, MADV_HUGEPAGE_), 0);
	assert_true(registered());
	assert_int_equal(collapse_alloc(64) - ca64, 1);
	assert_true(pm_contiguous(p, a, 16, 16));
	assert_int_equal(size_stat(64, "nr_anon"), 1);
	verify_ok(mmlab_main_task(p), a, 16 * PG, 30);
	assert_int_equal(mmlab_exit(p), 0);
}

/* max_ptes_none 0: only whole chunks collapse, into the largest order
 * that is whole */
static void t_mthp_collapse_none0(void **state)
{
	struct mmlab_proc *p = mthp_spawn(0, 1);
	uint64_t a, b, c, d, ca64, ca128, ca256, ca2m, pfn;

	(void)state;
	ca64 = collapse_alloc(64);
	ca128 = collapse_alloc(128);
	ca256 = collapse_alloc(256);
	ca2m = vmstat("thp_collapse_alloc");
	a = mthp_small(p, 0, 0, 16, 40);	/* one whole 64 KiB chunk */
	b = mthp_small(p, 1, 0, 15, 41);	/* one PTE short */
	c = mthp_small(p, 2, 0, 32, 42);	/* a whole 128 KiB chunk */
	d = mthp_small(p, 3, 0, 64, 43);	/* a whole 256 KiB chunk */
	pfn = pfn_of(pm1(p, b));
	scan(1);
	assert_true(pm_contiguous(p, a, 16, 16));
	assert_int_equal(pm_count(p, a, 64, MMLAB_PM_PRESENT), 16);
	assert_int_equal(pfn_of(pm1(p, b)), pfn);
	assert_int_equal(pm_count(p, b, 64, MMLAB_PM_PRESENT), 15);
	assert_true(pm_contiguous(p, c, 32, 32));
	assert_true(pm_contiguous(p, d, 64, 64));
	assert_int_equal(collapse_alloc(64) - ca64, 1);
	assert_int_equal(collapse_alloc(128) - ca128, 1);
	assert_int_equal(collapse_alloc(256) - ca256, 1);
	assert_int_equal(vmstat("thp_collapse_alloc"), ca2m);
	assert_int_equal(size_stat(64, "nr_anon"), 1);
	assert_int_equal(thp_kb(p, a), 0);
	verify_ok(mmlab_main_task(p), a, 16 * PG, 40);
	verify_ok(mmlab_main_task(p), b, 15 * PG, 41);
	verify_ok(mmlab_main_task(p), c, 32 * PG, 42);
	verify_ok(mmlab_main_task(p), d, 64 * PG, 43);
	/* stable: nothing more on later scans */
	scan(2);
	assert_int_equal(collapse_alloc(64) - ca64, 1);
	assert_int_equal(collapse_alloc(128) - ca128, 1);
	assert_int_equal(collapse_alloc(256) - ca256, 1);
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * max_ptes_none 511 with the creep guard (default): for mTHP orders it
 * counts as 255, i.e. a chunk needs more than half its PTEs: 9 pages of a
 * 64 KiB chunk collapse into 64 KiB, and that folio (half of the 128 KiB
 * chunk) never makes the 128 KiB chunk eligible on later scans.
 */
static void t_mthp_creep_guard_on(void **state)
{
	struct mmlab_proc *p = mthp_spawn(511, 1);
	uint64_t a, ca64 = collapse_alloc(64), ca128 = collapse_alloc(128);
	uint64_t ca256 = collapse_alloc(256), pfn;

	(void)state;
	a = mthp_small(p, 0, 0, 9, 50);
	scan(1);
	assert_true(pm_contiguous(p, a, 16, 16));
	assert_int_equal(pm_count(p, a, 64, MMLAB_PM_PRESENT), 16);
	assert_int_equal(collapse_alloc(64) - ca64, 1);
	pfn = pfn_of(pm1(p, a));
	scan(3);
	assert_int_equal(pfn_of(pm1(p, a)), pfn);
	assert_int_equal(pm_count(p, a, 64, MMLAB_PM_PRESENT), 16);
	assert_int_equal(collapse_alloc(64) - ca64, 1);
	assert_int_equal(collapse_alloc(128), ca128);
	assert_int_equal(collapse_alloc(256), ca256);
	verify_ok(mmlab_main_task(p), a, 9 * PG, 50);
	zero_ok(mmlab_main_task(p), a + 9 * PG, 7 * PG);
	/* 8 pages (exactly half) is not enough */
	a = mthp_small(p, 1, 0, 8, 51);
	pfn = pfn_of(pm1(p, a));
	scan(2);
	assert_int_equal(pfn_of(pm1(p, a)), pfn);
	assert_int_equal(pm_count(p, a, 64, MMLAB_PM_PRESENT), 8);
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * Without the guard, max_ptes_none 511 lets any chunk with one page
 * collapse at the largest enabled order at once (9 pages become 256 KiB);
 * at 300, a 64 KiB collapse makes the 128 KiB chunk eligible on the next
 * scan, and that the 256 KiB one on the scan after: it creeps.
 */
static void t_mthp_creep_guard_off(void **state)
{
	struct mmlab_proc *p = mthp_spawn(511, 0);
	uint64_t a, ca64, ca128, ca256;

	(void)state;
	ca256 = collapse_alloc(256);
	a = mthp_small(p, 0, 0, 9, 52);
	scan(1);
	assert_true(pm_contiguous(p, a, 64, 64));
	assert_int_equal(collapse_alloc(256) - ca256, 1);
	verify_ok(mmlab_main_task(p), a, 9 * PG, 52);

	knob_u(KHP_DIR "max_ptes_none", 300);	/* 64K: 9 none, 128K: 18, 256K: 37 */
	ca64 = collapse_alloc(64);
	ca128 = collapse_alloc(128);
	ca256 = collapse_alloc(256);
	a = mthp_small(p, 1, 0, 7, 53);
	scan(1);
	assert_true(pm_contiguous(p, a, 16, 16));
	assert_int_equal(pm_count(p, a, 64, MMLAB_PM_PRESENT), 16);
	assert_int_equal(collapse_alloc(64) - ca64, 1);
	scan(1);
	assert_true(pm_contiguous(p, a, 32, 32));
	assert_int_equal(pm_count(p, a, 64, MMLAB_PM_PRESENT), 32);
	assert_int_equal(collapse_alloc(128) - ca128, 1);
	scan(1);
	assert_true(pm_contiguous(p, a, 64, 64));
	assert_int_equal(collapse_alloc(256) - ca256, 1);
	verify_ok(mmlab_main_task(p), a, 7 * PG, 53);
	zero_ok(mmlab_main_task(p), a + 7 * PG, 57 * PG);
	/* the same with the guard: 7 pages are not enough for 64 KiB */
	knob_u(CREEP_GUARD, 1);
	ca64 = collapse_alloc(64);
	a = mthp_small(p, 2, 0, 7, 54);
	scan(3);
	assert_int_equal(collapse_alloc(64), ca64);
	assert_int_equal(pm_count(p, a, 64, MMLAB_PM_PRESENT), 7);
	assert_int_equal(mmlab_exit(p), 0);
}

/* a swapped or a shared PTE keeps its chunk out of an mTHP collapse */
static void t_mthp_refuses_swap_shared(void **state)
{
	struct mmlab_proc *p, *c;
	uint64_t a, b, pfn, ca64;

	(void)state;
	assert_true(mmlab_swapon(64 * MiB) >= 0);
	p = mthp_spawn(0, 1);
	thp_size(128, "never");
	thp_size(256, "never");
	knob_u(KHP_DIR "max_ptes_swap", 64);
	ca64 = collapse_alloc(64);
	a = mthp_small(p, 0, 0, 32, 60);
	assert_int_equal(madv(p, a + 3 * PG, PG, MADV_PAGEOUT_), 0);
	assert_true(pm1(p, a + 3 * PG) & MMLAB_PM_SWAP);
	pfn = pfn_of(pm1(p, a));
	scan(2);
	assert_int_equal(pfn_of(pm1(p, a)), pfn);		/* chunk 0: swapped PTE */
	assert_true(pm1(p, a + 3 * PG) & MMLAB_PM_SWAP);
	assert_true(pm_contiguous(p, a + 16 * PG, 16, 16));	/* chunk 1 */
	assert_int_equal(collapse_alloc(64) - ca64, 1);
	verify_ok(mmlab_main_task(p), a, 32 * PG, 60);

	/* shared with a child: the parent's chunk stays; the child copies
	 * chunk 1 (CoW) and collapses that one only */
	b = mthp_small(p, 1, 0, 32, 61);
	assert_int_equal(mmlab_fork(p, &c), 0);
	fill_ok(mmlab_main_task(c), b + 16 * PG, 16 * PG, 62);
	pfn = pfn_of(pm1(p, b));
	ca64 = collapse_alloc(64);
	scan(2);
	assert_int_equal(pfn_of(pm1(p, b)), pfn);
	assert_int_equal(pfn_of(pm1(c, b)), pfn);
	assert_true(pm_contiguous(c, b + 16 * PG, 16, 16));
	/* the parent's chunk 1 is its own again (the child copied): it
	 * collapses too */
	assert_true(pm_contiguous(p, b + 16 * PG, 16, 16));
	assert_int_equal(collapse_alloc(64) - ca64, 2);
	verify_ok(mmlab_main_task(c), b + 16 * PG, 16 * PG, 62);
	verify_ok(mmlab_main_task(p), b, 32 * PG, 61);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, thp_setup, teardown_machine)
#define TN(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(t_shared_check_maybe),
		T(t_shared_check_likely),
		T(t_shared_check_precise),
		T(t_shared_check_always_true),
		T(t_shared_check_always_false),
		T(t_max_ptes_none),
		T(t_max_ptes_swap),
		T(t_max_ptes_shared),
		T(t_pages_to_scan),
		T(t_full_scans_and_pages_collapsed),
		T(t_referenced),
		T(t_madv_collapse_errors),
		T(t_madv_collapse_success),
		T(t_enter_pmd_rule),
		T(t_enter_fork),
		T(t_mthp_collapse_off),
		T(t_mthp_collapse_none0),
		T(t_mthp_creep_guard_on),
		T(t_mthp_creep_guard_off),
		T(t_mthp_refuses_swap_shared),
	};

	/* MMLAB_TEST_FILTER=t_name*: run some of them */
	if (getenv("MMLAB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("MMLAB_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
