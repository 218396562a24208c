/*
 * test_reclaim_stress.c - "Nothing lost": four CPUs work on
 * twice as much data as the machine has memory, while reclaim swaps,
 * demotes to the slow node and NUMA-hinting promotes back, forks copy the
 * lot, and pages are moved between nodes.  Every byte is verified after each
 * phase; no access may go through a stale TLB entry.
 *
 * Machine: 4 CPUs, node 0 (fast) 32 MiB, node 1 (slow) 32 MiB, 512 MiB of
 * swap; demotion enabled.  Data: 128 MiB in one process, a 32 MiB region per
 * CPU.  Each page holds mmlab_fill's pattern for a per-page seed the test
 * remembers (0 = never written: reads as zeroes).
 *
 * Rounds of three phases until MMLAB_STRESS_SECONDS (default 10) are spent,
 * at least one round:
 *   random  - each CPU rewrites or verifies random pages of its region,
 *             now and then MADV_PAGEOUT / MADV_COLD of a chunk;
 *   fork    - the process forks; CPUs 1-3 keep writing the parent while
 *             CPU 0 verifies the child's copy (the data at fork time) whole;
 *   tiering - numa_balancing = 2: each CPU hammers a hot window of its
 *             region, CPU 0 also move_pages()s chunks between the nodes.
 * After each phase the workers stop and the main thread verifies every page
 * of the parent (and of the child, which then exits).
 *
 * MMLAB_STRESS_SEED replays a run's random choices (the model's own timing
 * still varies; under MMLAB_SCHED it does not).  MMLAB_RECLAIM_REGION_MB
 * (default 32) scales the machine: each region and node is that large.
 * Under the deterministic scheduler a phase lasts a few simulated
 * milliseconds, so the NUMA scan period is 1 ms there.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "harness.h"
#include "stress.h"

#ifndef MMLAB_STRESS_DEFAULT_SECONDS
#define MMLAB_STRESS_DEFAULT_SECONDS 10
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define NCPU		4
static uint64_t REGION = 32 * MiB;	/* per CPU; MMLAB_RECLAIM_REGION_MB */
#define REGION_PAGES	(REGION / PG)
#define HOT_PAGES	256

enum phase { PH_RANDOM, PH_FORK, PH_TIERING, NR_PHASES };
static const char *const phase_name[] = { "random", "fork", "tiering" };

struct worker {
	int id;
	struct mmlab_task *t;		/* in the parent, on CPU id */
	uint64_t base;			/* its region */
	uint64_t *seed;			/* per page; 0: zero page */
	uint64_t rng;
	unsigned long ops, writes, verifies, moves;
	struct stress_failures fail;
};

static struct {
	struct mmlab_proc *p, *child;
	struct mmlab_task *child_task;
	uint64_t *child_seed;		/* all regions, at fork time */
	struct worker w[NCPU];
	atomic_int phase;
	atomic_bool stop;
	double phase_end;
	uint64_t seed_base;
} S;

/* Check one page against its seed (zero: all zero bytes). */
static void check_page(struct worker *w, struct mmlab_task *t, uint64_t addr,
		       uint64_t seed, const char *what)
{
	uint64_t fa = 0, bad = UINT64_MAX;
	int ret;

	if (seed) {
		ret = mmlab_verify(t, addr, PG, seed, &bad, &fa);
	} else {
		static __thread uint64_t buf[PG / 8];

		ret = mmlab_read(t, addr, buf, PG, &fa);
		for (unsigned int i = 0; !ret && i < PG / 8; i++)
			if (buf[i]) {
				bad = addr + i * 8;
				break;
			}
	}
	if (ret)
		stress_fail(&w->fail, "%s: page %#" PRIx64 ": signal %d at %#" PRIx64, what, addr, ret, fa);
	else if (bad != UINT64_MAX)
		stress_fail(&w->fail, "%s: page %#" PRIx64 " seed %#" PRIx64 ": mismatch at %#" PRIx64,
			what, addr, seed, bad);
	w->verifies++;
}

static void write_page(struct worker *w, uint64_t i)
{
	uint64_t fa = 0, seed = stress_rnd(&w->rng) | 1;
	int ret = mmlab_fill(w->t, w->base + i * PG, PG, seed, &fa);

	if (ret)
		stress_fail(&w->fail, "fill page %#" PRIx64 ": %d at %#" PRIx64, w->base + i * PG, ret, fa);
	else
		w->seed[i] = seed;
	w->writes++;
}

static void random_op(struct worker *w, uint64_t lo, uint64_t n)
{
	uint64_t r = stress_rnd(&w->rng), i = lo + (r >> 8) % n;
	unsigned int k = r & 0xff;

	if (k < 100) {
		write_page(w, i);
	} else if (k < 250) {
		check_page(w, w->t, w->base + i * PG, w->seed[i], "random");
	} else if (k < 253) {
		uint64_t c = (i & ~63ULL);
		int ret = mmlab_madvise(w->t, w->base + c * PG, 64 * PG,
					(k & 1) ? MADV_PAGEOUT : MADV_COLD);

		if (ret)
			stress_fail(&w->fail, "madvise: %d", ret);
	} else if (w->id == 0 && atomic_load(&S.phase) == PH_TIERING) {
		/* move a chunk of any region to a random node */
		uint64_t a = S.w[r % NCPU].base + ((r >> 16) % (REGION_PAGES / 64)) * 64 * PG;
		long m = mmlab_move_pages(S.p, a, 64, (int)((r >> 40) & 1));

		if (m < 0)
			stress_fail(&w->fail, "move_pages: %ld", m);
		else
			w->moves += (unsigned long)m;
	}
	w->ops++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int ph = atomic_load(&S.phase);
	uint64_t hot = (stress_rnd(&w->rng) % (REGION_PAGES - HOT_PAGES)) & ~7ULL;

	if (ph == PH_FORK && w->id == 0) {
		/* the child's copy, every page, while the others write */
		for (int c = 0; c < NCPU; c++)
			for (uint64_t i = 0; i < REGION_PAGES; i++)
				check_page(w, S.child_task, S.w[c].base + i * PG,
					   S.child_seed[c * REGION_PAGES + i], "child");
	}
	while (!atomic_load(&S.stop) && now_s() < S.phase_end && !w->fail.n) {
		if (ph == PH_TIERING && (stress_rnd(&w->rng) & 3))
			random_op(w, hot, HOT_PAGES);
		else
			random_op(w, 0, REGION_PAGES);
	}
	return NULL;
}

static void *fill_region(void *arg)
{
	struct worker *w = arg;
	uint64_t fa = 0;

	for (uint64_t k = 0; k < REGION_PAGES && !w->fail.n; k++) {
		int ret = w->seed[k] ?
			mmlab_fill(w->t, w->base + k * PG, PG, w->seed[k], &fa) :
			mmlab_touch(w->t, w->base + k * PG, PG, false, &fa);

		if (ret)
			stress_fail(&w->fail, "initial fill: %d at %#" PRIx64, ret, fa);
	}
	return NULL;
}

static void verify_all(const char *when)
{
	struct worker *w0 = &S.w[0];

	for (int c = 0; c < NCPU; c++)
		for (uint64_t i = 0; i < REGION_PAGES; i++)
			check_page(&S.w[c], w0->t, S.w[c].base + i * PG, S.w[c].seed[i], when);
	if (S.child)
		for (int c = 0; c < NCPU; c++)
			for (uint64_t i = 0; i < REGION_PAGES; i++)
				check_page(&S.w[c], S.child_task, S.w[c].base + i * PG,
					   S.child_seed[c * REGION_PAGES + i], when);
}

static void run_phase(int ph, double secs)
{
	pthread_t th[NCPU];

	atomic_store(&S.phase, ph);
	S.phase_end = now_s() + secs;
	if (ph == PH_TIERING) {
		assert_int_equal(mmlab_knob_set("/proc/sys/kernel/numa_balancing", "2"), 0);
	}
	if (ph == PH_FORK) {
		assert_int_equal(mmlab_fork(S.p, &S.child), 0);
		S.child_task = mmlab_main_task(S.child);
		for (int c = 0; c < NCPU; c++)
			memcpy(S.child_seed + c * REGION_PAGES, S.w[c].seed,
			       REGION_PAGES * sizeof(uint64_t));
	}
	for (int i = 0; i < NCPU; i++)
		assert_int_equal(mmlab_thread_create(&th[i], worker_main, &S.w[i]), 0);
	for (int i = 0; i < NCPU; i++)
		mmlab_thread_join(th[i]);
	assert_int_equal(mmlab_knob_set("/proc/sys/kernel/numa_balancing", "0"), 0);
	verify_all(phase_name[ph]);
	if (S.child) {
		assert_int_equal(mmlab_exit(S.child), 0);
		S.child = NULL;
		S.child_task = NULL;
	}
}

static void print_counters(const char *when)
{
	print_message("%-8s pswpout %" PRIu64 " pswpin %" PRIu64 " swpout_zero %" PRIu64
		      " pgdemote %" PRIu64 "+%" PRIu64 " pgpromote_success %" PRIu64
		      " numa_hint_faults %" PRIu64 " pgmigrate %" PRIu64 "/%" PRIu64
		      " fail, remote flushes %" PRIu64 "\n", when,
		      vmstat("pswpout"), vmstat("pswpin"), vmstat("swpout_zero"),
		      vmstat("pgdemote_kswapd"), vmstat("pgdemote_direct"),
		      vmstat("pgpromote_success"), vmstat("numa_hint_faults"),
		      vmstat("pgmigrate_success"), vmstat("pgmigrate_fail"),
		      vmstat("nr_tlb_remote_flush_received"));
}

static int setup(void **state)
{
	struct mmlab_config cfg;

	(void)state;
	mmlab_config_default(&cfg);
	cfg.nr_cpus = NCPU;
	cfg.nr_nodes = 2;
	REGION = env_u64("MMLAB_RECLAIM_REGION_MB", 32) * MiB;
	cfg.node_bytes[0] = REGION;
	cfg.node_bytes[1] = REGION;
	cfg.node_slow[1] = true;
	cfg.node_latency_ns[1] = 250;
	machine_up_cfg(&cfg);
	assert_int_equal(mmlab_swapon(512 * MiB), 0);
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/numa/demotion_enabled", "1"), 0);
	assert_int_equal(mmlab_knob_set(
		"/sys/kernel/debug/sched/numa_balancing/scan_period_min_ms",
		mmlab_deterministic() ? "1" : "20"), 0);
	assert_int_equal(mmlab_knob_set(
		"/sys/kernel/debug/sched/numa_balancing/scan_size_mb", "16"), 0);
	return 0;
}

static void t_nothing_lost(void **state)
{
	double secs = (double)env_u64("MMLAB_STRESS_SECONDS", MMLAB_STRESS_DEFAULT_SECONDS);
	double deadline, t0 = now_s(), phase_secs;
	unsigned long ops = 0, writes = 0, verifies = 0, moves = 0, fails = 0;
	uint64_t data;
	int round = 0;

	(void)state;
	memset(&S, 0, sizeof(S));
	S.seed_base = env_u64("MMLAB_STRESS_SEED", seed_default());
	print_message("reclaim stress: %.0f s, MMLAB_STRESS_SEED=%" PRIu64 "\n", secs,
		      S.seed_base);
	S.p = spawn();
	data = map_anon(S.p, 0, NCPU * REGION, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(mmlab_madvise(mmlab_main_task(S.p), data, NCPU * REGION,
				       MADV_NOHUGEPAGE), 0);
	S.child_seed = calloc(NCPU * REGION_PAGES, sizeof(uint64_t));
	assert_non_null(S.child_seed);
	for (int i = 0; i < NCPU; i++) {
		struct worker *w = &S.w[i];

		w->id = i;
		w->t = i ? task_on(S.p, i) : mmlab_main_task(S.p);
		w->base = data + i * REGION;
		w->seed = calloc(REGION_PAGES, sizeof(uint64_t));
		assert_non_null(w->seed);
		w->rng = mmlab_splitmix64(S.seed_base * NCPU + i) | 1;
	}
	/* first: every page written once, in parallel, 128 MiB into 64 MiB;
	 * a quarter of the pages stay zero (read-faulted: the zero page) */
	{
		pthread_t th[NCPU];

		for (int i = 0; i < NCPU; i++)
			for (uint64_t k = 0; k < REGION_PAGES; k++)
				S.w[i].seed[k] = (k & 3) == 3 ? 0 : (stress_rnd(&S.w[i].rng) | 1);
		for (int i = 0; i < NCPU; i++)
			assert_int_equal(mmlab_thread_create(&th[i], fill_region, &S.w[i]), 0);
		for (int i = 0; i < NCPU; i++)
			mmlab_thread_join(th[i]);
	}
	verify_all("initial");
	print_counters("initial");
	deadline = t0 + secs;
	phase_secs = secs / 10 < 0.3 ? 0.3 : secs / 10;
	do {
		for (int ph = 0; ph < NR_PHASES; ph++) {
			run_phase(ph, phase_secs);
			print_counters(phase_name[ph]);
			for (int i = 0; i < NCPU; i++)
				if (S.w[i].fail.n)
					goto out;
		}
		round++;
	} while (now_s() < deadline);
out:
	for (int i = 0; i < NCPU; i++) {
		ops += S.w[i].ops;
		writes += S.w[i].writes;
		verifies += S.w[i].verifies;
		moves += S.w[i].moves;
		fails += S.w[i].fail.n;
		if (S.w[i].fail.n)
			print_message("cpu %d: %lu failure(s), first: %s\n", i,
				      S.w[i].fail.n, S.w[i].fail.first);
	}
	print_message("reclaim stress: %d round(s) in %.1f s, %lu ops, %lu page writes, "
		      "%lu page verifies, %lu pages moved, stale_tlb_reports %" PRIu64 "\n",
		      round, now_s() - t0, ops, writes, verifies, moves,
		      vmstat("stale_tlb_reports"));
	assert_int_equal(fails, 0);
	assert_true(round >= 1);
	assert_true(vmstat("pswpout") > 0);
	assert_true(vmstat("pswpin") > 0);
	assert_true(vmstat("pgdemote_kswapd") + vmstat("pgdemote_direct") > 0);
	assert_true(vmstat("numa_hint_faults") > 0);
	assert_int_equal(vmstat("stale_tlb_reports"), 0);
	assert_int_equal(mmlab_exit(S.p), 0);
	for (int i = 0; i < NCPU; i++)
		free(S.w[i].seed);
	free(S.child_seed);
}

static int teardown(void **state)
{
	(void)state;
	machine_down();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_nothing_lost, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
