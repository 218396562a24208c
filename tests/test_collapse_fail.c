/*
 * test_collapse_fail.c - the collapse's failure paths (mTHP collapse: "every step's
 * failure path tested"): through /sys/kernel/mm/mmlab/debug/collapse_fail
 * each step (allocation, revalidation, isolation, a locked folio, a changed
 * PMD) fails once, and the range must be exactly as it was (frames, data,
 * mapcounts, RSS, VmPTE, swap) in both collapse_locking modes, for a PMD
 * collapse, a PTE-mapped THP, an mTHP and MADV_COLLAPSE; then a writer
 * racing with collapses.  Model tests with the stale-TLB detector on.
 */
#include "khugepaged_util.h"

/* ------------------------------------------------------------------ */
/* collapse failure paths (mTHP collapse)                              */

enum target { T_PMD, T_PTE_MAPPED_THP, T_MTHP, T_MADVISE };

struct fail_case {
	const char *inject;
	int madv_errno;		/* what MADV_COLLAPSE answers */
};

static const struct fail_case fail_cases[] = {
	{ "alloc", -ENOMEM },
	{ "revalidate", -EINVAL },
	{ "isolate", -EAGAIN },	/* an extra reference: SCAN_PAGE_COUNT */
	{ "lock", -EAGAIN },	/* a locked folio: SCAN_PAGE_LOCK */
	{ "pmd", -EINVAL },	/* the PMD changed */
};

/*
 * Build the range, snapshot it, make the next collapse fail at the step,
 * run the collapse, check the range is exactly as it was and the knob
 * went back to "none"; then the collapse succeeds.
 */
static void fail_one(const char *locking, const struct fail_case *fc, enum target tg)
{
	uint64_t free0 = (mmlab_quiesce(), vmstat("nr_free_pages"));
	struct mmlab_proc *p = khp_spawn(), *c = NULL;
	struct mmlab_task *t = mmlab_main_task(p);
	struct range_snap s0, s1, cs0, cs1;
	uint64_t a, af0 = vmstat("thp_collapse_alloc_failed"), ca0 = vmstat("thp_collapse_alloc");
	char buf[128];
	int ret;

	knob(LOCKING, locking);
	knob_u(KHP_DIR "max_ptes_none", 511);
	switch (tg) {
	case T_PMD:
	case T_MADVISE:
		/* small pages, some none, some in a child too (shared) */
		a = small_region(p, 0, 400, 70);
		assert_int_equal(mmlab_fork(p, &c), 0);
		/* the child's range is not khugepaged's to collapse */
		assert_int_equal(madv(c, a, PMD, MADV_NOHUGEPAGE_), 0);
		fill_ok(mmlab_main_task(c), a, 300 * PG, 71);	/* the child's own */
		break;
	case T_PTE_MAPPED_THP:
		/* a THP whose PMD was split: one large folio, 512 PTEs */
		a = thp_region(p, 0, PMD, MADV_HUGEPAGE_);
		fill_ok(t, a, PMD, 70);
		assert_int_equal(mmlab_mprotect(t, a + PG, PG, PROT_READ), 0);
		assert_int_equal(mmlab_mprotect(t, a + PG, PG, RW), 0);
		assert_int_equal(thp_kb(p, a), 0);
		break;
	default:
		knob_u(MTHP_COLLAPSE, 1);	/* the mTHP collapse series */
		thp_size(2048, "never");
		thp_size(64, "madvise");
		a = thp_region(p, 0, PMD, MADV_NOHUGEPAGE_);
		fill_ok(t, a, 16 * PG, 70);		/* a whole 64 KiB chunk */
		fill_ok(t, a + 100 * PG, 5 * PG, 72);	/* too few */
		assert_int_equal(madv(p, a, PMD, MADV_HUGEPAGE_), 0);
		break;
	}
	snap_range(p, a, &s0);
	if (c)
		snap_range(c, a, &cs0);
	knob(COLLAPSE_FAIL, fc->inject);
	if (tg == T_MADVISE) {
		ret = madv(p, a, PMD, MADV_COLLAPSE_);
		if (ret != fc->madv_errno)
			fail_msg("%s/%s: MADV_COLLAPSE %d, want %d", locking, fc->inject, ret,
				 fc->madv_errno);
	} else {
		scan(1);
	}
	assert_int_equal(mmlab_knob_get(COLLAPSE_FAIL, buf, sizeof(buf)), 0);
	if (!strstr(buf, "[none]"))
		fail_msg("%s/%s: the injection did not fire (%s)", locking, fc->inject, buf);
	snap_range(p, a, &s1);
	snprintf(buf, sizeof(buf), "%s/%s/target %d: the range changed", locking,
		 fc->inject, tg);
	snap_same(buf, &s0, &s1);
	if (c) {
		snap_range(c, a, &cs1);
		snap_same(buf, &cs0, &cs1);
	}
	if (!strcmp(fc->inject, "alloc"))
		assert_int_equal(vmstat("thp_collapse_alloc_failed") - af0, tg == T_MTHP ? 0 : 1);
	else if (tg != T_MTHP)
		/* the folio was allocated and freed again */
		assert_int_equal(vmstat("thp_collapse_alloc") - ca0, 1);
	/* the data, and the range works */
	switch (tg) {
	case T_PMD:
	case T_MADVISE:
		verify_ok(t, a, 400 * PG, 70);
		zero_ok(t, a + 400 * PG, 112 * PG);
		verify_ok(mmlab_main_task(c), a, 300 * PG, 71);
		verify_ok(mmlab_main_task(c), a + 300 * PG, 100 * PG, 70);
		break;
	case T_PTE_MAPPED_THP:
		verify_ok(t, a, PMD, 70);
		break;
	default:
		verify_ok(t, a, 16 * PG, 70);
		verify_ok(t, a + 100 * PG, 5 * PG, 72);
		break;
	}
	/* one-shot: the same collapse succeeds now */
	if (tg == T_MADVISE) {
		assert_int_equal(madv(p, a, PMD, MADV_COLLAPSE_), 0);
		assert_true(collapsed(p, a));
	} else {
		scan(1);
		if (tg == T_MTHP)
			assert_true(pm_contiguous(p, a, 16, 16));
		else
			assert_true(collapsed(p, a));
	}
	verify_ok(t, a, 16 * PG, 70);
	if (c) {
		verify_ok(mmlab_main_task(c), a, 300 * PG, 71);
		assert_int_equal(mmlab_exit(c), 0);
	}
	assert_int_equal(mmlab_exit(p), 0);
	/* nothing leaked: neither the folio allocated for the failed
	 * collapse nor the old pages */
	mmlab_quiesce();
	assert_int_equal(vmstat("nr_free_pages"), free0);
	assert_int_equal(size_stat(2048, "nr_anon") + size_stat(64, "nr_anon"), 0);
}

static void fail_all(enum target tg)
{
	for (unsigned int l = 0; l < ARRAY_SIZE(lockings); l++)
		for (unsigned int i = 0; i < ARRAY_SIZE(fail_cases); i++) {
			/* each in a fresh machine: the knobs and counters */
			thp_machine_up();
			fail_one(lockings[l], &fail_cases[i], tg);
			machine_down();
		}
}

static void t_collapse_fail_pmd(void **state)
{
	(void)state;
	fail_all(T_PMD);
}

static void t_collapse_fail_pte_mapped_thp(void **state)
{
	(void)state;
	fail_all(T_PTE_MAPPED_THP);
}

static void t_collapse_fail_mthp(void **state)
{
	(void)state;
	fail_all(T_MTHP);
}

static void t_collapse_fail_madvise(void **state)
{
	(void)state;
	fail_all(T_MADVISE);
}

static void t_collapse_fail_knob(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(mmlab_knob_get(COLLAPSE_FAIL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "[none] alloc revalidate isolate lock pmd");
	assert_int_equal(mmlab_knob_set(COLLAPSE_FAIL, "split"), -EINVAL);
	knob(COLLAPSE_FAIL, "isolate\n");
	assert_int_equal(mmlab_knob_get(COLLAPSE_FAIL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "none alloc revalidate [isolate] lock pmd");
	knob(COLLAPSE_FAIL, "none");
}

/* ------------------------------------------------------------------ */
/* collapse against a concurrent writer                                */

#define RACE_PMDS	4

struct race {
	struct mmlab_task *t;
	uint64_t a;
	int stop;		/* atomic */
	uint64_t rounds;	/* atomic: of the writer */
	int failed;		/* atomic: why[] is written (read it after the join) */
	char why[160];
};

/*
 * Another thread of the process (CPU 1) writes and reads pages of the
 * range, keeping what each must hold, and now and then drops 50 pages with
 * MADV_DONTNEED (they must read zero after it returns).  khugepaged, run by
 * the main thread, collapses the ranges meanwhile.
 */
static void *race_writer(void *arg)
{
	struct race *r = arg;
	static uint64_t shadow[RACE_PMDS * NR_PMD_PAGES];
	uint64_t it = 0, fa;

	memset(shadow, 0, sizeof(shadow));
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&r->failed, __ATOMIC_RELAXED)) {
		for (int k = 0; k < 64; k++) {
			uint64_t i = mmlab_splitmix64(it * 131 + k) % ARRAY_SIZE(shadow);
			uint64_t j = mmlab_splitmix64(it * 7 + k) % ARRAY_SIZE(shadow);
			uint64_t v = (it << 20) | i | 1, got = 0;

			if (mmlab_write(r->t, r->a + i * PG, &v, 8, &fa)) {
				snprintf(r->why, sizeof(r->why), "write page %" PRIu64 " failed", i);
				__atomic_store_n(&r->failed, 1, __ATOMIC_RELEASE);
				break;
			}
			shadow[i] = v;
			if (mmlab_read(r->t, r->a + j * PG, &got, 8, &fa) || got != shadow[j]) {
				snprintf(r->why, sizeof(r->why),
					 "page %" PRIu64 " reads %#" PRIx64 ", want %#" PRIx64,
					 j, got, shadow[j]);
				__atomic_store_n(&r->failed, 1, __ATOMIC_RELEASE);
				break;
			}
		}
		if (it % 7 == 0) {
			uint64_t i = mmlab_splitmix64(it) % RACE_PMDS;

			assert_int_equal(mmlab_madvise(r->t, r->a + i * PMD + 100 * PG, 50 * PG,
						       MADV_DONTNEED_), 0);
			memset(&shadow[i * NR_PMD_PAGES + 100], 0, 50 * sizeof(shadow[0]));
		}
		it++;
		__atomic_store_n(&r->rounds, it, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void t_collapse_vs_writer(void **state)
{
	(void)state;
	for (unsigned int l = 0; l < ARRAY_SIZE(lockings); l++) {
		struct mmlab_proc *p;
		struct race r;
		pthread_t th;
		unsigned int scans = 0;
		uint64_t c0;
		double t0;

		thp_machine_up();
		knob(LOCKING, lockings[l]);
		p = khp_spawn();
		memset(&r, 0, sizeof(r));
		r.a = thp_region(p, 0, RACE_PMDS * PMD, MADV_NOHUGEPAGE_);
		zero_ok(mmlab_main_task(p), r.a, RACE_PMDS * PMD);	/* a table each */
		assert_int_equal(madv(p, r.a, RACE_PMDS * PMD, MADV_HUGEPAGE_), 0);
		r.t = task_on(p, 1);
		assert_int_equal(mmlab_thread_create(&th, race_writer, &r), 0);
		/* 1.5 s, and 20 collapses at least (up to 6 s: the writer's
		 * faults make many attempts back off) */
		c0 = knob_u64(KHP_DIR "pages_collapsed");
		while (__atomic_load_n(&r.rounds, __ATOMIC_ACQUIRE) < 4 &&
		       !__atomic_load_n(&r.failed, __ATOMIC_ACQUIRE))	/* pages to collapse first */
			stress_pause(1000);
		for (t0 = now_s(); !__atomic_load_n(&r.failed, __ATOMIC_ACQUIRE) && now_s() - t0 < 6 &&
		     (now_s() - t0 < 1.5 || knob_u64(KHP_DIR "pages_collapsed") - c0 < 20);
		     scans++) {
			scan(1);
			/* split them again for the next scan */
			for (int i = 0; i < RACE_PMDS; i++) {
				uint64_t x = r.a + i * PMD + 5 * PG;

				assert_int_equal(mmlab_mprotect(mmlab_main_task(p), x, PG,
								RW | PROT_EXEC), 0);
				assert_int_equal(mmlab_mprotect(mmlab_main_task(p), x, PG, RW), 0);
			}
			stress_pause(100);	/* let the writer in (2 host cores) */
		}
		__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
		mmlab_thread_join(th);
		if (r.failed)
			fail_msg("%s: after %u scans: %s (stale_tlb_reports %" PRIu64 ")",
				 lockings[l], scans, r.why, vmstat("stale_tlb_reports"));
		if (knob_u64(KHP_DIR "pages_collapsed") == c0)
			fail_msg("%s: no collapse in %u scans", lockings[l], scans);
		assert_int_equal(mmlab_exit(p), 0);
		machine_down();
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, thp_setup, teardown_machine)
#define TN(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(t_collapse_fail_knob),
		TN(t_collapse_fail_pmd),
		TN(t_collapse_fail_pte_mapped_thp),
		TN(t_collapse_fail_mthp),
		TN(t_collapse_fail_madvise),
		TN(t_collapse_vs_writer),
	};

	if (getenv("MMLAB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("MMLAB_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
