/*
 * test_pt_reclaim_race.c - page-table reclaim against everything that walks
 * or fills page tables at the same time.
 *
 * Four simulated CPUs, one task each, plus a GUP-fast-style lockless walker
 * (mmlab_gup_fast in a loop, a host thread of its own), for
 * MMLAB_STRESS_SECONDS (default 10; 3 under TSan) per scan mode (locked,
 * lockless), with the asynchronous scanner at its most aggressive
 * (scan = always, scan_delay_ms = 0, scan_size 8 MiB: every API call by
 * every task scans the next four tables).  On the same ranges:
 *
 * - the shared region S (8 tables): each CPU owns a 32-page slot of every
 *   table, which it alone fills, verifies, checks through the GUP-fast walk
 *   against pagemap, and empties with MADV_DONTNEED (so a table can become
 *   empty and be freed just as its owner faults it back); the other 384
 *   pages of each table are common: any CPU touches or zaps ranges of them
 *   (partial MADV_DONTNEED, MADV_FREE) but never an owned slot.
 * - the churn region C (2 tables, so that the CPUs meet there): any CPU faults, zaps whole tables
 *   (freed by MADV_DONTNEED), zaps halves (left for the scanner), asks for
 *   MADV_PT_RECLAIM, and munmaps / mmaps tables.  Any byte read there must
 *   be 0 or what mmlab_touch writes at that address.
 *
 * If the retry path has not been taken when the time is up, the run goes on
 * until it is, for at most twice as long again (it needs a fault and a
 * table free to meet within a few instructions).
 *
 * Checked at the end: zero mmlab_walks_into_freed_tables (freed tables are
 * poisoned), zero stale_tlb_reports (machine_down), every owned slot holds
 * what its owner last wrote, the scanner freed tables, and the retry path
 * of pte_offset_map_lock() (the table vanished under it) was taken a
 * counted, non-zero number of times; the page-table count comes back after
 * the process exits.  MMLAB_STRESS_SEED replays the random choices.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "harness.h"
#include "stress.h"

#ifndef MMLAB_STRESS_DEFAULT_SECONDS
#define MMLAB_STRESS_DEFAULT_SECONDS 10
#endif

#define NCPU	4
#define PMD	MMLAB_PMD_SIZE
#define PPT	512			/* pages per table */
#define NS	8			/* tables in S */
#define NC	2			/* tables in C: few, so CPUs meet there */
#define SLOT	32			/* pages a CPU owns per S table */
#define COMMON0	(NCPU * SLOT)		/* first common page of a table */
#define S_BASE	DIFF_BASE
#define C_BASE	(DIFF_BASE + 64 * MiB)
#define RW	(PROT_READ | PROT_WRITE)

struct worker {
	int cpu;
	struct mmlab_task *t;
	uint64_t rng;
	/* seed of the data in each owned slot, 0: zero (or never written) */
	uint64_t slot_seed[NS];
	uint64_t gen;
	uint64_t ops, fills, zaps, remaps, sigsegv;
	struct stress_failures fail;
};

static struct {
	struct mmlab_proc *p;
	atomic_bool stop;
	atomic_ulong walks, walked_present;
	struct worker w[NCPU];
	uint64_t seed;
	double end, hard_end;	/* run until end; then on until the retry
				 * path was taken, at most until hard_end */
	uint64_t retries0;
} S;

static bool time_is_up(void)
{
	double now = now_s();
	uint64_t r = 0;

	if (now < S.end)
		return false;
	if (now >= S.hard_end)
		return true;
	mmlab_vmstat_get("mmlab_pte_offset_map_retries", &r);
	return r != S.retries0;
}

static uint64_t slot_addr(int cpu, int table)
{
	return S_BASE + (uint64_t)table * PMD + (uint64_t)cpu * SLOT * PG;
}

/* Fill the slot, check it through the lockless walk and pagemap, verify. */
static void op_fill_slot(struct worker *w, int j)
{
	uint64_t a = slot_addr(w->cpu, j), fa = 0, bad = 0;
	uint64_t pfns[SLOT], pm[SLOT];
	uint64_t seed = ((uint64_t)w->cpu << 56) | ((uint64_t)j << 48) | ++w->gen;
	long n;
	int ret;

	ret = mmlab_fill(w->t, a, SLOT * PG, seed, &fa);
	if (ret) {
		stress_fail(&w->fail, "fill %#" PRIx64 ": %d at %#" PRIx64, a, ret, fa);
		return;
	}
	w->slot_seed[j] = seed;
	w->fills++;
	/* Nobody else zaps this slot, and the scanner never frees a table
	 * that holds it: all 32 pages present, the walk agrees with pagemap. */
	n = mmlab_gup_fast(S.p, a, SLOT, pfns);
	if (n != SLOT)
		stress_fail(&w->fail, "gup_fast of a filled slot %#" PRIx64 ": %ld present", a, n);
	if (mmlab_pagemap(S.p, a, SLOT, pm))
		stress_fail(&w->fail, "pagemap %#" PRIx64, a);
	for (int i = 0; i < SLOT && n == SLOT; i++)
		if ((pm[i] & MMLAB_PM_PFN_MASK) != pfns[i] || !(pm[i] & MMLAB_PM_PRESENT)) {
			stress_fail(&w->fail, "slot %#" PRIx64 " page %d: gup pfn %#" PRIx64
			       " pagemap %#" PRIx64, a, i, pfns[i], pm[i]);
			break;
		}
	ret = mmlab_verify(w->t, a, SLOT * PG, seed, &bad, &fa);
	if (ret || bad != UINT64_MAX)
		stress_fail(&w->fail, "verify %#" PRIx64 " right after fill: ret %d bad %#" PRIx64,
		       a, ret, bad);
}

static void check_slot(struct worker *w, int j)
{
	uint64_t a = slot_addr(w->cpu, j), fa = 0, bad = 0;
	static const uint64_t zero[SLOT * PG / 8];
	int ret;

	if (w->slot_seed[j]) {
		ret = mmlab_verify(w->t, a, SLOT * PG, w->slot_seed[j], &bad, &fa);
		if (ret || bad != UINT64_MAX)
			stress_fail(&w->fail, "slot %#" PRIx64 " seed %#" PRIx64 ": ret %d, bad %#" PRIx64,
			       a, w->slot_seed[j], ret, bad);
	} else {
		static __thread uint8_t buf[SLOT * PG];

		ret = mmlab_read(w->t, a, buf, sizeof(buf), &fa);
		if (ret || memcmp(buf, zero, sizeof(buf)))
			stress_fail(&w->fail, "slot %#" PRIx64 " should read zero: ret %d", a, ret);
	}
}

static void op_zap_slot(struct worker *w, int j)
{
	uint64_t a = slot_addr(w->cpu, j);
	int ret = mmlab_madvise(w->t, a, SLOT * PG, MADV_DONTNEED);

	if (ret)
		stress_fail(&w->fail, "dontneed slot %#" PRIx64 ": %d", a, ret);
	w->slot_seed[j] = 0;
	w->zaps++;
}

/* A random page range of the common part of an S table. */
static void common_range(struct worker *w, uint64_t *a, uint64_t *len)
{
	int j = (int)(stress_rnd(&w->rng) % NS);
	uint64_t first = COMMON0 + stress_rnd(&w->rng) % (PPT - COMMON0);
	uint64_t n = 1 + stress_rnd(&w->rng) % (PPT - first);

	*a = S_BASE + (uint64_t)j * PMD + first * PG;
	*len = n * PG;
}

static void op_common(struct worker *w)
{
	uint64_t a, len, fa = 0;
	int ret = 0, advice;

	common_range(w, &a, &len);
	switch (stress_rnd(&w->rng) % 3) {
	case 0:
		ret = mmlab_touch(w->t, a, len, true, &fa);
		break;
	case 1:
		advice = stress_rnd(&w->rng) % 4 ? MADV_DONTNEED : MADV_FREE;
		ret = mmlab_madvise(w->t, a, len, advice);
		break;
	case 2:
		ret = mmlab_touch(w->t, a, len, false, &fa);
		break;
	}
	if (ret)
		stress_fail(&w->fail, "common op at %#" PRIx64 "+%#" PRIx64 ": %d", a, len, ret);
}

/* The churn region: anything goes; reads see 0 or the touch pattern. */
static void op_churn(struct worker *w)
{
	int j = (int)(stress_rnd(&w->rng) % NC), ret = 0;
	uint64_t t = C_BASE + (uint64_t)j * PMD, fa = 0, out = 0;
	uint64_t first = stress_rnd(&w->rng) % PPT, n = 1 + stress_rnd(&w->rng) % (PPT - first);
	uint64_t a = t + first * PG;
	uint8_t b;

	switch (stress_rnd(&w->rng) % 9) {
	case 0: case 1:
		ret = mmlab_touch(w->t, a, n * PG, true, &fa);
		break;
	case 2:
		ret = mmlab_madvise(w->t, t, PMD, MADV_DONTNEED);	/* frees */
		break;
	case 3:
		ret = mmlab_madvise(w->t, t + (stress_rnd(&w->rng) & 1) * PMD / 2, PMD / 2,
				    MADV_DONTNEED);		/* for the scanner */
		break;
	case 4:
		ret = mmlab_madvise(w->t, a, n * PG, MADV_DONTNEED);
		break;
	case 5:
		ret = mmlab_madvise(w->t, t, PMD, MMLAB_MADV_PT_RECLAIM);
		break;
	case 6:
		if (stress_rnd(&w->rng) % 4)
			break;
		w->remaps++;
		ret = mmlab_munmap(w->t, t, PMD);
		if (!ret)
			ret = mmlab_mmap(w->t, t, PMD, RW, MAP_PRIVATE | MAP_ANONYMOUS |
					 MAP_FIXED, -1, 0, &out);
		if (!ret)
			ret = mmlab_madvise(w->t, t, PMD, MADV_NOHUGEPAGE);
		break;
	default:
		ret = mmlab_read(w->t, a, &b, 1, &fa);
		if (!ret && b && b != (uint8_t)(((a >> 12) & 0xff) | 1))
			stress_fail(&w->fail, "churn byte at %#" PRIx64 " = %#x", a, b);
		break;
	}
	if (ret == MMLAB_SIGSEGV) {	/* a table of C unmapped by another CPU */
		w->sigsegv++;
		ret = 0;
	}
	if (ret == -ENOMEM)		/* madvise over a hole: the same */
		ret = 0;
	if (ret)
		stress_fail(&w->fail, "churn op at %#" PRIx64 ": %d", a, ret);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load_explicit(&S.stop, memory_order_relaxed) && !w->fail.n) {
		int j = (int)(stress_rnd(&w->rng) % NS);

		switch (stress_rnd(&w->rng) % 10) {
		case 0: case 1:
			op_fill_slot(w, j);
			break;
		case 2:
			op_zap_slot(w, j);
			break;
		case 3:
			check_slot(w, j);
			break;
		case 4:
			op_common(w);
			break;
		default:
			op_churn(w);
			break;
		}
		w->ops++;
		if ((w->ops & 15) == 0 && time_is_up())
			break;
	}
	return NULL;
}

/* The GUP-fast-style walker: a random table of S or C at a time. */
static void *walker_main(void *arg)
{
	static __thread uint64_t pfns[PPT];
	uint64_t rng = S.seed ^ 0x5bd1e995;

	(void)arg;
	while (!atomic_load_explicit(&S.stop, memory_order_relaxed)) {
		uint64_t j;
		long n1, n2;

		rng = mmlab_splitmix64(rng);
		j = rng % NS;
		n1 = mmlab_gup_fast(S.p, S_BASE + j * PMD, PPT, pfns);
		n2 = mmlab_gup_fast(S.p, C_BASE + (rng >> 32) % NC * PMD, PPT, NULL);

		if (n1 >= 0 && n2 >= 0)
			atomic_fetch_add_explicit(&S.walked_present, (unsigned long)(n1 + n2),
						  memory_order_relaxed);
		atomic_fetch_add_explicit(&S.walks, 1, memory_order_relaxed);
	}
	return NULL;
}

static void run(const char *mode)
{
	struct mmlab_config cfg;
	struct mmlab_task *main_t;
	pthread_t th[NCPU], wk;
	uint64_t out, v0, pt0, r0, f0, sc0, pt_before;
	uint64_t retries, freed, scans, walks_freed;
	double secs = (double)env_u64("MMLAB_STRESS_SECONDS", MMLAB_STRESS_DEFAULT_SECONDS);
	double t_start;
	unsigned long failures = 0;

	machine_config(&cfg);
	cfg.nr_cpus = NCPU;
	machine_up_cfg(&cfg);
	pt_before = vmstat("nr_page_table_pages");
	S.seed = env_u64("MMLAB_STRESS_SEED", seed_default());
	print_message("pt_reclaim race, scan_mode %s: %.0f s, MMLAB_STRESS_SEED=%" PRIu64 "\n",
		      mode, secs, S.seed);
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/pt_reclaim/scan_mode", mode), 0);
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/pt_reclaim/scan_delay_ms", "0"), 0);
	/* 4 tables per scan: every call scans, the window sweeps S and C */
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/pt_reclaim/scan_size", "8388608"), 0);

	S.p = spawn();
	main_t = mmlab_main_task(S.p);
	v0 = status_of(S.p).VmPTE;
	assert_int_equal(mmlab_mmap(main_t, S_BASE, NS * PMD, RW, MAP_PRIVATE |
				    MAP_ANONYMOUS | MAP_FIXED, -1, 0, &out), 0);
	assert_int_equal(mmlab_madvise(main_t, S_BASE, NS * PMD, MADV_NOHUGEPAGE), 0);
	assert_int_equal(mmlab_mmap(main_t, C_BASE, NC * PMD, RW, MAP_PRIVATE |
				    MAP_ANONYMOUS | MAP_FIXED, -1, 0, &out), 0);
	assert_int_equal(mmlab_madvise(main_t, C_BASE, NC * PMD, MADV_NOHUGEPAGE), 0);
	memset(S.w, 0, sizeof(S.w));
	for (int i = 0; i < NCPU; i++) {
		struct worker *w = &S.w[i];

		w->cpu = i;
		w->rng = mmlab_splitmix64(S.seed * 31 + (uint64_t)i);
		w->t = i ? task_on(S.p, (unsigned int)i) : main_t;
	}
	atomic_store(&S.stop, false);
	atomic_store(&S.walks, 0);
	atomic_store(&S.walked_present, 0);
	r0 = vmstat("mmlab_pte_offset_map_retries");
	S.retries0 = r0;
	f0 = vmstat("mmlab_pt_reclaim_tables_freed");
	sc0 = vmstat("mmlab_pt_reclaim_scans");
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/pt_reclaim/scan", "always"), 0);

	S.end = now_s() + secs;
	S.hard_end = S.end + 9 * secs;	/* a slow (loaded, TSan) host needs longer */
	t_start = now_s();
	for (int i = 0; i < NCPU; i++)
		assert_int_equal(mmlab_thread_create(&th[i], worker_main, &S.w[i]), 0);
	assert_int_equal(mmlab_thread_create(&wk, walker_main, NULL), 0);
	for (int i = 0; i < NCPU; i++)
		mmlab_thread_join(th[i]);
	atomic_store(&S.stop, true);
	mmlab_thread_join(wk);

	t_start = now_s() - t_start;
	retries = vmstat("mmlab_pte_offset_map_retries") - r0;
	freed = vmstat("mmlab_pt_reclaim_tables_freed") - f0;
	scans = vmstat("mmlab_pt_reclaim_scans") - sc0;
	walks_freed = vmstat("mmlab_walks_into_freed_tables");
	for (int i = 0; i < NCPU; i++) {
		struct worker *w = &S.w[i];

		print_message("  cpu %d: %" PRIu64 " ops, %" PRIu64 " fills, %" PRIu64
			      " slot zaps, %" PRIu64 " remaps, %" PRIu64 " SIGSEGV in C%s%s\n",
			      i, w->ops, w->fills, w->zaps, w->remaps, w->sigsegv,
			      w->fail.n ? ": FAILED: " : "", w->fail.n ? w->fail.first : "");
		failures += w->fail.n;
	}
	print_message("  ran %.1f s (the run goes on past its time, up to 10x, until the\n"
		      "  retry path was taken)\n", t_start);
	print_message("  walker: %lu walks, %lu present pages seen; scans %" PRIu64
		      ", tables freed by the scanner and MADV_DONTNEED %" PRIu64
		      ", pte_offset_map retries %" PRIu64 ", walks into freed tables %" PRIu64 "\n",
		      atomic_load(&S.walks), atomic_load(&S.walked_present), scans, freed,
		      retries, walks_freed);

	/* Every slot holds what its owner last wrote (checked by CPU 0's task
	 * now that all are quiet). */
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/pt_reclaim/scan", "never"), 0);
	for (int i = 0; i < NCPU; i++) {
		struct worker *w = &S.w[i];

		for (int j = 0; j < NS; j++) {
			if (w->slot_seed[j])
				verify_ok(main_t, slot_addr(i, j), SLOT * PG, w->slot_seed[j]);
			else
				zero_ok(main_t, slot_addr(i, j), SLOT * PG);
		}
	}
	if (failures)
		fail_msg("%lu worker failure(s), first above", failures);
	assert_int_equal(walks_freed, 0);
	assert_true(atomic_load(&S.walks) > 0);
	assert_true(scans > 0);
	assert_true(freed > 0);
	if (!retries)
		fail_msg("the pte_offset_map_lock() retry path was never taken");

	/* No table leaked. */
	assert_int_equal(mmlab_munmap(main_t, S_BASE, NS * PMD), 0);
	assert_int_equal(mmlab_munmap(main_t, C_BASE, NC * PMD), 0);
	assert_int_equal(status_of(S.p).VmPTE, v0);
	assert_int_equal(mmlab_exit(S.p), 0);
	pt0 = vmstat_settle("nr_page_table_pages", pt_before);
	assert_int_equal(pt0, pt_before);
	machine_down();
}

static void t_race_locked(void **state)
{
	(void)state;
	run("locked");
}

static void t_race_lockless(void **state)
{
	(void)state;
	run("lockless");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_race_locked),
		cmocka_unit_test(t_race_lockless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
