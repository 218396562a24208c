/*
 * test_pt_reclaim.c - freeing empty PTE tables (page-table reclaim).
 *
 * Upstream behaviour (differential: the same cases on the host kernel and
 * on the model, pt_reclaim/zap = 1 as 6.14+): MADV_DONTNEED of a whole
 * aligned 2 MiB frees its table, of part of it does not (not even two
 * halves), MADV_FREE frees none, munmap frees the tables its gap covers, a
 * table holding a guard marker is kept.  zap = 0 (model only) is the
 * pre-6.14 kernel: MADV_DONTNEED frees nothing.
 *
 * The RFC's design (model only), in both scan modes (locked, lockless):
 * the asynchronous scanner at return to user space with scan = always,
 * madvise, never; the per-process switch (mmlab_prctl_pt_reclaim);
 * scan_size and scan_delay_ms respected; a table spanning two VMAs
 * skipped; a table with a guard or uffd-wp marker kept; MADV_PT_RECLAIM;
 * and the scanner's goal: every empty table found within two scan intervals.
 *
 * The scanner runs when a task of the process returns from a C API call
 * (kick() below: a read of a page that is mapped already).
 */
#include <time.h>

#include "harness.h"

#define R	DIFF_BASE			/* 512 GiB aligned */
#define WARM	(DIFF_BASE + 3 * GiB)		/* own PMD table */
#define KICK	(DIFF_BASE + 2 * GiB)		/* model: the kick page */
#define PMD	MMLAB_PMD_SIZE
#define RW	(PROT_READ | PROT_WRITE)
#define PAF	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif

#define K_ZAP		"/sys/kernel/mm/mmlab/pt_reclaim/zap"
#define K_SCAN		"/sys/kernel/mm/mmlab/pt_reclaim/scan"
#define K_MODE		"/sys/kernel/mm/mmlab/pt_reclaim/scan_mode"
#define K_DELAY		"/sys/kernel/mm/mmlab/pt_reclaim/scan_delay_ms"
#define K_SIZE		"/sys/kernel/mm/mmlab/pt_reclaim/scan_size"

/* ------------------------------------------------------------------ */
/* Upstream behaviour: differential                                     */

static int64_t vmpte(struct be *b)
{
	struct mmlab_status st;

	if (be_status(b, &st))
		return -1;
	return (int64_t)st.VmPTE;
}

/* One store per 4 KiB page of [a, a + len): the number of failures. */
static int store_all(struct be *b, uint64_t a, uint64_t len)
{
	int bad = 0;

	for (uint64_t x = a; x < a + len; x += PG)
		bad += be_put(b, x, x) != 0;
	return bad;
}

/* 8 MiB at R (4 tables), populated; VmPTE after. */
static int64_t setup4(struct be *b)
{
	uint64_t out;

	EXPECT(b, "warm mmap", be_mmap(b, WARM, PG, RW, PAF, -1, 0, &out), 0);
	EXPECT(b, "warm store", be_put(b, WARM, 1), 0);
	EXPECT(b, "mmap 8 MiB", be_mmap(b, R, 8 * MiB, RW, PAF, -1, 0, &out), 0);
	EXPECT(b, "nohugepage", be_madvise(b, R, 8 * MiB, MADV_NOHUGEPAGE), 0);
	EXPECT(b, "stores", store_all(b, R, 8 * MiB), 0);
	return vmpte(b);
}

static void upstream_dontneed(struct be *b)
{
	int64_t v = setup4(b);

	EXPECT(b, "whole aligned 2 MiB", be_madvise(b, R, PMD, MADV_DONTNEED), 0);
	EXPECT(b, "  its table freed, kB", vmpte(b) - v, -4);
	EXPECT(b, "1 MiB", be_madvise(b, R + PMD, PMD / 2, MADV_DONTNEED), 0);
	EXPECT(b, "  kept", vmpte(b) - v, -4);
	EXPECT(b, "the other 1 MiB", be_madvise(b, R + PMD + PMD / 2, PMD / 2,
						MADV_DONTNEED), 0);
	EXPECT(b, "  two halves: empty but kept", vmpte(b) - v, -4);
	EXPECT(b, "2 MiB + 8 KiB from a page before table 2",
	       be_madvise(b, R + 2 * PMD - PG, PMD + 2 * PG, MADV_DONTNEED), 0);
	EXPECT(b, "  table 2 freed (covered), 1 and 3 kept", vmpte(b) - v, -8);
	EXPECT(b, "page 0 of table 3 reads zero", be_get(b, R + 3 * PMD, (uint64_t[]){0}), 0);
	EXPECT(b, "  refault: no table freed or made", vmpte(b) - v, -8);
}
DIFF_TEST_REQUIRES(upstream_dontneed, "pt_reclaim")

static void upstream_free_munmap(struct be *b)
{
	int64_t v = setup4(b);

	EXPECT(b, "MADV_FREE of 8 MiB", be_madvise(b, R, 8 * MiB, MADV_FREE), 0);
	EXPECT(b, "  no table freed", vmpte(b) - v, 0);
	/* munmap of [1 MiB, 5 MiB): the gap covers table 1 whole. */
	EXPECT(b, "munmap [1, 5) MiB", be_munmap(b, R + MiB, 4 * MiB), 0);
	EXPECT(b, "  the table inside the gap freed", vmpte(b) - v, -4);
	EXPECT(b, "munmap [0, 1) MiB", be_munmap(b, R, MiB), 0);
	EXPECT(b, "  table 0 now in the gap", vmpte(b) - v, -8);
	EXPECT(b, "munmap the rest", be_munmap(b, R, 8 * MiB), 0);
	EXPECT(b, "  4 PTE tables and their PMD table gone", vmpte(b) - v, -20);
}
DIFF_TEST_REQUIRES(upstream_free_munmap, "pt_reclaim")

static void upstream_marker(struct be *b)
{
	int64_t v = setup4(b);

	EXPECT(b, "guard page in table 0", be_madvise(b, R + 5 * PG, PG, MADV_GUARD_INSTALL), 0);
	EXPECT(b, "DONTNEED 8 MiB", be_madvise(b, R, 8 * MiB, MADV_DONTNEED), 0);
	EXPECT(b, "  tables 1-3 freed, the one with a marker kept", vmpte(b) - v, -12);
	EXPECT(b, "guard remove", be_madvise(b, R + 5 * PG, PG, MADV_GUARD_REMOVE), 0);
	EXPECT(b, "DONTNEED table 0", be_madvise(b, R, PMD, MADV_DONTNEED), 0);
	EXPECT(b, "  now freed", vmpte(b) - v, -16);
}
DIFF_TEST_REQUIRES(upstream_marker, "pt_reclaim")

/* ------------------------------------------------------------------ */
/* Model only                                                           */

static uint64_t vmpte_kb(struct mmlab_proc *p)
{
	return status_of(p).VmPTE;
}

struct env {
	struct mmlab_proc *p;
	struct mmlab_task *t;
};

static struct env env_new(void)
{
	struct env e;

	e.p = spawn();
	e.t = mmlab_main_task(e.p);
	map_anon(e.p, KICK, PG, RW, MAP_FIXED);
	put64(e.t, KICK, 1);
	return e;
}

/* A C API call by the task: it returns to user space, the scanner may run. */
static void kick(struct env *e)
{
	uint64_t fa;

	assert_int_equal(mmlab_touch(e->t, KICK, 1, false, &fa), 0);
}

/* [a, a + n tables) mapped (nohugepage); the tables listed in @full filled
 * with seed a, the others made empty (one page touched, then a one-page
 * MADV_DONTNEED: that frees no table). */
static uint64_t map_tables(struct env *e, uint64_t a, int n, uint64_t full_mask)
{
	map_anon(e->p, a, n * PMD, RW, MAP_FIXED);
	assert_int_equal(mmlab_madvise(e->t, a, n * PMD, MADV_NOHUGEPAGE), 0);
	for (int i = 0; i < n; i++) {
		uint64_t x = a + i * PMD;

		if (full_mask >> i & 1) {
			fill_ok(e->t, x, PMD, x);
		} else {
			put64(e->t, x + 7 * PG, 1);
			assert_int_equal(mmlab_madvise(e->t, x + 7 * PG, PG, MADV_DONTNEED), 0);
		}
	}
	return a;
}

static void verify_tables(struct env *e, uint64_t a, int n, uint64_t full_mask)
{
	for (int i = 0; i < n; i++)
		if (full_mask >> i & 1)
			verify_ok(e->t, a + i * PMD, PMD, a + i * PMD);
}

static void t_zap_off(void **state)
{
	struct env e;
	uint64_t v0, f0;

	(void)state;
	knob(K_ZAP, "0");
	e = env_new();
	map_tables(&e, R, 4, 0xf);
	v0 = vmpte_kb(e.p);
	f0 = vmstat("mmlab_pt_reclaim_tables_freed");
	assert_int_equal(mmlab_madvise(e.t, R, 4 * PMD, MADV_DONTNEED), 0);
	/* pre-6.14: every empty table stays */
	assert_int_equal(vmpte_kb(e.p), v0);
	assert_int_equal(vmstat("mmlab_pt_reclaim_tables_freed"), f0);
	zero_ok(e.t, R, 4 * PG);	/* faults into the kept tables */
	assert_int_equal(vmpte_kb(e.p), v0);
	/* munmap still frees the tables in its gap (free_pgtables) */
	assert_int_equal(mmlab_munmap(e.t, R + PMD, 2 * PMD), 0);
	assert_int_equal(vmpte_kb(e.p), v0 - 8);
	/* MADV_PT_RECLAIM is independent of zap */
	assert_int_equal(mmlab_madvise(e.t, R + 3 * PMD, PMD, MADV_DONTNEED), 0);
	assert_int_equal(vmpte_kb(e.p), v0 - 8);
	assert_int_equal(mmlab_madvise(e.t, R + 3 * PMD, PMD, MMLAB_MADV_PT_RECLAIM), 0);
	assert_int_equal(vmpte_kb(e.p), v0 - 12);
	knob(K_ZAP, "1");
	assert_int_equal(mmlab_madvise(e.t, R, PMD, MADV_DONTNEED), 0);
	assert_int_equal(vmpte_kb(e.p), v0 - 16);
	assert_int_equal(mmlab_exit(e.p), 0);
}

static void t_knob_defaults(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(mmlab_knob_get(K_ZAP, buf, sizeof(buf)), 0);
	assert_int_equal(atoi(buf), 1);
	assert_int_equal(mmlab_knob_get(K_SCAN, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "[never]"));
	assert_int_equal(mmlab_knob_get(K_MODE, buf, sizeof(buf)), 0);
	assert_true(strstr(buf, "[locked]") || strstr(buf, "[lockless]"));
	assert_int_equal(mmlab_knob_set(K_SCAN, "sometimes"), -EINVAL);
	assert_int_equal(mmlab_knob_set(K_MODE, "racy"), -EINVAL);
	assert_int_equal(mmlab_knob_set(K_SIZE, "4096"), -EINVAL);
	assert_int_equal(mmlab_prctl_pt_reclaim(NULL, true), -EINVAL);
}

/* Which scan mode a test runs in: its state. */
static const char *mode_of(void **state)
{
	return *state ? (const char *)*state : "locked";
}

static int setup_locked(void **state)
{
	*state = (void *)"locked";
	return setup_machine(state);
}

static int setup_lockless(void **state)
{
	*state = (void *)"lockless";
	return setup_machine(state);
}

/* MADV_PT_RECLAIM: synchronous, any scan setting; keeps the non-empty. */
static void t_madv_pt_reclaim(void **state)
{
	struct env e;
	uint64_t v0;

	knob(K_MODE, mode_of(state));
	e = env_new();
	map_tables(&e, R, 8, 0x5a);	/* 1, 3, 4, 6 full */
	v0 = vmpte_kb(e.p);
	/* part of table 0 and all of 1..7: reclaims every empty table whose
	 * 2 MiB lies in the VMA, also table 0 (the range touches it) */
	assert_int_equal(mmlab_madvise(e.t, R + PMD / 2, 8 * PMD - PMD / 2,
				       MMLAB_MADV_PT_RECLAIM), 0);
	assert_int_equal(vmpte_kb(e.p), v0 - 4 * 4);
	verify_tables(&e, R, 8, 0x5a);
	zero_ok(e.t, R + 2 * PMD, PG);	/* a refault builds a table */
	assert_int_equal(vmpte_kb(e.p), v0 - 3 * 4);
	assert_int_equal(mmlab_exit(e.p), 0);
}

static void t_scan_never(void **state)
{
	struct env e;
	uint64_t v0, s0;

	knob(K_MODE, mode_of(state));
	knob(K_DELAY, "0");
	e = env_new();
	map_tables(&e, R, 6, 0x21);
	v0 = vmpte_kb(e.p);
	s0 = vmstat("mmlab_pt_reclaim_scans");
	for (int i = 0; i < 50; i++)
		kick(&e);
	assert_int_equal(vmpte_kb(e.p), v0);
	assert_int_equal(vmstat("mmlab_pt_reclaim_scans"), s0);
	assert_int_equal(mmlab_exit(e.p), 0);
}

static void t_scan_always(void **state)
{
	struct env e;
	uint64_t v0, f0, pt0;

	knob(K_MODE, mode_of(state));
	knob(K_DELAY, "0");
	e = env_new();
	map_tables(&e, R, 16, 0x8421);	/* 0, 5, 10, 15 full */
	/* a second VMA, not adjacent: all its tables empty */
	map_tables(&e, R + 64 * MiB, 4, 0);
	v0 = vmpte_kb(e.p);
	f0 = vmstat("mmlab_pt_reclaim_tables_freed");
	pt0 = vmstat("nr_page_table_pages");
	knob(K_SCAN, "always");
	kick(&e);
	/* default scan_size (1 GiB) covers all: 12 + 4 empty tables freed */
	assert_int_equal(vmpte_kb(e.p), v0 - 16 * 4);
	assert_int_equal(vmstat("mmlab_pt_reclaim_tables_freed") - f0, 16);
	/* freed by RCU after the TLB flush: the counter follows */
	assert_int_equal(vmstat_settle("nr_page_table_pages", pt0 - 16), pt0 - 16);
	verify_tables(&e, R, 16, 0x8421);
	/* more scans: nothing else to free, data intact */
	for (int i = 0; i < 20; i++)
		kick(&e);
	assert_int_equal(vmpte_kb(e.p), v0 - 16 * 4);
	verify_tables(&e, R, 16, 0x8421);
	/* a refault after reclaim works */
	put64(e.t, R + 3 * PMD + 8, 42);
	assert_int_equal(get64(e.t, R + 3 * PMD + 8), 42);
	assert_int_equal(vmpte_kb(e.p), v0 - 15 * 4);
	assert_int_equal(mmlab_exit(e.p), 0);
}

static void t_scan_madvise(void **state)
{
	struct env e;
	uint64_t A = R, B = R + 64 * MiB, v0, v1;

	knob(K_MODE, mode_of(state));
	knob(K_DELAY, "0");
	knob(K_SCAN, "madvise");
	e = env_new();
	map_tables(&e, A, 4, 0x1);
	map_tables(&e, B, 4, 0x1);
	v0 = vmpte_kb(e.p);
	for (int i = 0; i < 5; i++)
		kick(&e);
	/* neither range was given MADV_PT_RECLAIM: nothing scanned */
	assert_int_equal(vmpte_kb(e.p), v0);
	/* A is: its empty tables go at once */
	assert_int_equal(mmlab_madvise(e.t, A, 4 * PMD, MMLAB_MADV_PT_RECLAIM), 0);
	v1 = vmpte_kb(e.p);
	assert_int_equal(v1, v0 - 3 * 4);
	/* new empty tables in A and in B: the scanner frees A's only */
	for (int i = 1; i < 4; i++) {
		put64(e.t, A + i * PMD, 1);
		put64(e.t, B + i * PMD, 1);
	}
	knob(K_SCAN, "never");	/* no scan while we empty them */
	for (int i = 1; i < 4; i++) {
		assert_int_equal(mmlab_madvise(e.t, A + i * PMD, PG, MADV_DONTNEED), 0);
		assert_int_equal(mmlab_madvise(e.t, B + i * PMD, PG, MADV_DONTNEED), 0);
	}
	assert_int_equal(vmpte_kb(e.p), v1 + 3 * 4);
	knob(K_SCAN, "madvise");
	kick(&e);
	assert_int_equal(vmpte_kb(e.p), v1);
	verify_tables(&e, A, 4, 0x1);
	verify_tables(&e, B, 4, 0x1);
	/* always: B's go too */
	knob(K_SCAN, "always");
	kick(&e);
	assert_int_equal(vmpte_kb(e.p), v1 - 3 * 4);
	assert_int_equal(mmlab_exit(e.p), 0);
}

static void t_prctl(void **state)
{
	struct env e, o;
	uint64_t v0, w0;

	knob(K_MODE, mode_of(state));
	knob(K_DELAY, "0");
	e = env_new();
	o = env_new();		/* another process, switch on */
	map_tables(&e, R, 4, 0x0);
	map_tables(&o, R, 4, 0x0);
	v0 = vmpte_kb(e.p);
	w0 = vmpte_kb(o.p);
	assert_int_equal(mmlab_prctl_pt_reclaim(e.p, false), 0);
	knob(K_SCAN, "always");
	for (int i = 0; i < 5; i++) {
		kick(&e);
		kick(&o);
	}
	assert_int_equal(vmpte_kb(e.p), v0);		/* switched off */
	assert_int_equal(vmpte_kb(o.p), w0 - 16);	/* the other one scanned */
	/* the switch is the scanner's only: MADV_DONTNEED still frees */
	assert_int_equal(mmlab_madvise(e.t, R, PMD, MADV_DONTNEED), 0);
	assert_int_equal(vmpte_kb(e.p), v0 - 4);
	assert_int_equal(mmlab_prctl_pt_reclaim(e.p, true), 0);
	kick(&e);
	assert_int_equal(vmpte_kb(e.p), v0 - 16);
	assert_int_equal(mmlab_exit(o.p), 0);
	assert_int_equal(mmlab_exit(e.p), 0);
}

/* scan_size: one scan looks at no more than scan_size bytes of mapped
 * address space; successive scans move on and wrap. */
static void t_scan_size(void **state)
{
	struct env e;
	const int n = 32;
	uint64_t v0, s0, sc0, f0, size = 4 * MiB;
	int kicks = 0;

	knob(K_MODE, mode_of(state));
	knob(K_DELAY, "0");
	knob_u(K_SIZE, size);
	e = env_new();
	map_tables(&e, R, n, 0);
	v0 = vmpte_kb(e.p);
	knob(K_SCAN, "always");
	while (vmpte_kb(e.p) > v0 - n * 4 && kicks < 10 * n) {
		s0 = vmstat("mmlab_pt_reclaim_scans");
		sc0 = vmstat("mmlab_pt_reclaim_tables_scanned");
		f0 = vmstat("mmlab_pt_reclaim_tables_freed");
		kick(&e);
		kicks++;
		assert_int_equal(vmstat("mmlab_pt_reclaim_scans") - s0, 1);
		/* 4 MiB of address space: at most 2 tables, +1 for a window
		 * that begins inside a table */
		assert_true(vmstat("mmlab_pt_reclaim_tables_scanned") - sc0 <= size / PMD + 1);
		assert_true(vmstat("mmlab_pt_reclaim_tables_freed") - f0 <= size / PMD + 1);
	}
	assert_int_equal(vmpte_kb(e.p), v0 - n * 4);
	/* 64 MiB at 4 MiB a scan: 16 scans, and a few for the other VMAs
	 * and the wrap */
	assert_true((uint64_t)kicks >= n * PMD / size);
	assert_true((uint64_t)kicks <= n * PMD / size + 8);
	print_message("scan_size %" PRIu64 " MiB: %d scans for %d tables\n",
		      size >> 20, kicks, n);
	assert_int_equal(mmlab_exit(e.p), 0);
}

/* scan_delay_ms: at most one scan of an mm per interval. */
static void t_scan_delay(void **state)
{
	struct env e;
	const uint64_t delay = 100;
	uint64_t s0, scans, v0;
	double t0, el;
	int calls = 0;

	knob(K_MODE, mode_of(state));
	knob_u(K_DELAY, delay);
	e = env_new();
	knob(K_SCAN, "always");
	kick(&e);			/* a scan now: the next one due in 100 ms */
	s0 = vmstat("mmlab_pt_reclaim_scans");
	t0 = now_s();
	while ((el = now_s() - t0) < 0.55) {
		kick(&e);
		calls++;
	}
	scans = vmstat("mmlab_pt_reclaim_scans") - s0;
	print_message("delay %" PRIu64 " ms: %" PRIu64 " scans in %.0f ms, %d calls\n",
		      delay, scans, el * 1e3, calls);
	assert_true(calls > 20);
	assert_true(scans <= (uint64_t)(el * 1000 / delay) + 1);
	assert_true(scans >= 3);	/* not starved either */

	/* An empty table made right after a scan waits for the next one. */
	knob(K_SCAN, "never");
	map_tables(&e, R, 2, 0);
	v0 = vmpte_kb(e.p);
	usleep((delay + 10) * 1000);
	knob_u(K_DELAY, 60000);
	knob(K_SCAN, "always");
	kick(&e);	/* due (the last scan is > 100 ms ago): frees them */
	assert_int_equal(vmpte_kb(e.p), v0 - 8);
	knob(K_SCAN, "never");
	map_tables(&e, R + 8 * MiB, 2, 0);
	v0 = vmpte_kb(e.p);
	knob(K_SCAN, "always");
	for (int i = 0; i < 20; i++)
		kick(&e);
	assert_int_equal(vmpte_kb(e.p), v0);	/* next scan in a minute */
	assert_int_equal(mmlab_exit(e.p), 0);
}

/* A table spanning two VMAs is skipped by the scanner and by
 * MADV_PT_RECLAIM; merged into one VMA it goes. */
static void t_scan_two_vmas(void **state)
{
	struct env e;
	uint64_t v0;

	knob(K_MODE, mode_of(state));
	knob(K_DELAY, "0");
	e = env_new();
	map_tables(&e, R, 4, 0);
	assert_int_equal(mmlab_mprotect(e.t, R + PMD + PMD / 2, PMD, PROT_READ), 0);
	assert_int_equal(mmlab_vma_count(e.p) >= 3, 1);
	v0 = vmpte_kb(e.p);
	knob(K_SCAN, "always");
	for (int i = 0; i < 5; i++)
		kick(&e);
	/* tables 0 and 3 lie in one VMA each: freed; 1 and 2 span two */
	assert_int_equal(vmpte_kb(e.p), v0 - 8);
	assert_int_equal(mmlab_madvise(e.t, R, 4 * PMD, MMLAB_MADV_PT_RECLAIM), 0);
	assert_int_equal(vmpte_kb(e.p), v0 - 8);
	assert_int_equal(mmlab_mprotect(e.t, R + PMD + PMD / 2, PMD, RW), 0);
	kick(&e);
	assert_int_equal(vmpte_kb(e.p), v0 - 16);
	assert_int_equal(mmlab_exit(e.p), 0);
}

/* A table whose only entry is a guard marker is not empty. */
static void t_scan_guard(void **state)
{
	struct env e;
	uint64_t v0;

	knob(K_MODE, mode_of(state));
	knob(K_DELAY, "0");
	e = env_new();
	map_tables(&e, R, 3, 0);
	assert_int_equal(mmlab_madvise(e.t, R + PMD + 9 * PG, PG, MADV_GUARD_INSTALL), 0);
	v0 = vmpte_kb(e.p);
	knob(K_SCAN, "always");
	kick(&e);
	assert_int_equal(vmpte_kb(e.p), v0 - 8);
	assert_true(pm1(e.p, R + PMD + 9 * PG) & MMLAB_PM_GUARD_REGION);
	assert_int_equal(mmlab_madvise(e.t, R, 3 * PMD, MMLAB_MADV_PT_RECLAIM), 0);
	assert_int_equal(vmpte_kb(e.p), v0 - 8);
	/* the guard still works */
	{
		uint64_t fa = 0;

		assert_int_equal(mmlab_touch(e.t, R + PMD + 9 * PG, 1, false, &fa),
				 MMLAB_SIGSEGV);
	}
	assert_int_equal(mmlab_madvise(e.t, R + PMD + 9 * PG, PG, MADV_GUARD_REMOVE), 0);
	kick(&e);
	assert_int_equal(vmpte_kb(e.p), v0 - 12);
	assert_int_equal(mmlab_exit(e.p), 0);
}

/* A uffd-wp marker (shmem keeps it where MADV_DONTNEED zaps a protected
 * page) is not none: the table stays. */
static void t_scan_uffd_wp(void **state)
{
	struct env e;
	uint64_t a = R, v0, out;
	int fd;

	knob(K_MODE, mode_of(state));
	knob(K_DELAY, "0");
	e = env_new();
	fd = mmlab_memfd(e.p, "wp", 4 * PMD);
	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(e.t, a, 4 * PMD, RW, MAP_SHARED | MAP_FIXED, fd, 0,
				    &out), 0);
	assert_int_equal(mmlab_madvise(e.t, a, 4 * PMD, MADV_NOHUGEPAGE), 0);
	for (int i = 0; i < 4; i++)
		put64(e.t, a + i * PMD + 3 * PG, 7);
	assert_int_equal(mmlab_uffd_register(e.p, a, 4 * PMD, MMLAB_UFFD_WP), 0);
	assert_int_equal(mmlab_uffd_wp(e.p, a + PMD, PMD, true), 0);
	/* one page per table zapped: tables 0, 2, 3 empty, 1 holds a marker */
	for (int i = 0; i < 4; i++)
		assert_int_equal(mmlab_madvise(e.t, a + i * PMD + 3 * PG, PG,
					       MADV_DONTNEED), 0);
	assert_true(pm1(e.p, a + PMD + 3 * PG) & MMLAB_PM_UFFD_WP);
	v0 = vmpte_kb(e.p);
	knob(K_SCAN, "always");
	kick(&e);
	assert_int_equal(vmpte_kb(e.p), v0 - 12);
	assert_true(pm1(e.p, a + PMD + 3 * PG) & MMLAB_PM_UFFD_WP);
	/* the data is in shmem: it comes back */
	assert_int_equal(get64(e.t, a + 2 * PMD + 3 * PG), 7);
	assert_int_equal(mmlab_exit(e.p), 0);
}

/*
 * The goal: an empty table is found within two scan intervals, wherever
 * the scan window stands (scan_size covers the mapped address space: the
 * first scan runs from the window to the end, the next wraps).
 */
static void t_two_intervals(void **state)
{
	struct env e;
	const int n = 24, rounds = 4;
	const uint64_t delay = 50;
	double worst = 0;
	uint64_t max_scans = 0;

	knob(K_MODE, mode_of(state));
	e = env_new();
	map_tables(&e, R, n, 0xffffff);
	knob(K_SCAN, "always");
	for (int r = 0; r < rounds; r++) {
		uint64_t v0, vt, s0, ns;
		double t0, el;
		int idx[6];

		/* move the window somewhere into the middle of the region */
		knob(K_DELAY, "0");
		knob_u(K_SIZE, (uint64_t)(2 + 3 * r) * PMD);
		for (int i = 0; i < 2 + r; i++)
			kick(&e);
		knob_u(K_DELAY, delay);
		kick(&e);		/* a scan (due): the clock starts */
		knob_u(K_SIZE, GiB);	/* from now on a scan covers all */
		/* empty six tables spread over the region, fast */
		knob(K_SCAN, "never");
		v0 = vmpte_kb(e.p);
		for (int i = 0; i < 6; i++) {
			idx[i] = (i * 5 + r * 3) % n;
			assert_int_equal(mmlab_madvise(e.t, R + idx[i] * PMD, PMD / 2,
						       MADV_DONTNEED), 0);
			assert_int_equal(mmlab_madvise(e.t, R + idx[i] * PMD + PMD / 2,
						       PMD / 2, MADV_DONTNEED), 0);
		}
		assert_int_equal(vmpte_kb(e.p), v0);
		knob(K_SCAN, "always");
		t0 = now_s();
		vt = v0 - 6 * 4;
		s0 = vmstat("mmlab_pt_reclaim_scans");
		while (vmpte_kb(e.p) > vt && now_s() - t0 < 1.0) {
			kick(&e);
			usleep(1000);
		}
		el = now_s() - t0;
		ns = vmstat("mmlab_pt_reclaim_scans") - s0;
		if (ns > max_scans)
			max_scans = ns;
		if (el > worst)
			worst = el;
		assert_int_equal(vmpte_kb(e.p), vt);
		/* 2 intervals + the 1 ms between kicks + scheduling slack */
		if (el * 1000 > 2 * delay + 20)
			fail_msg("round %d: tables found after %.1f ms (> 2 x %" PRIu64 " ms)",
				 r, el * 1e3, delay);
		/* refill for the next round */
		knob(K_SCAN, "never");
		for (int i = 0; i < 6; i++)
			fill_ok(e.t, R + idx[i] * PMD, PMD, R + idx[i] * PMD);
		knob(K_SCAN, "always");
	}
	print_message("%s: every empty table found within %.1f ms (interval %" PRIu64
		      " ms), in at most %" PRIu64 " scans\n",
		      mode_of(state), worst * 1e3, delay, max_scans);
	verify_tables(&e, R, n, 0xffffff);
	assert_int_equal(mmlab_exit(e.p), 0);
}

/* A scanner test in each scan mode. */
#define BOTH(fn)							\
	{ #fn "/locked", fn, setup_locked, teardown_machine, NULL },	\
	{ #fn "/lockless", fn, setup_lockless, teardown_machine, NULL }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_upstream_dontneed),
		cmocka_unit_test(t_upstream_free_munmap),
		cmocka_unit_test(t_upstream_marker),
		cmocka_unit_test_setup_teardown(t_knob_defaults, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_zap_off, setup_machine, teardown_machine),
		BOTH(t_madv_pt_reclaim),
		BOTH(t_scan_never),
		BOTH(t_scan_always),
		BOTH(t_scan_madvise),
		BOTH(t_prctl),
		BOTH(t_scan_size),
		BOTH(t_scan_delay),
		BOTH(t_scan_two_vmas),
		BOTH(t_scan_guard),
		BOTH(t_scan_uffd_wp),
		BOTH(t_two_intervals),
	};

	return tests_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
