/*
 * test_split_fork.c - a THP split racing fork.  The process's THP is
 * partly unmapped (MADV_DONTNEED of its first pages: the PMD is split and
 * the folio waits on the deferred split queue); then another process on
 * CPU 1 fills memory until reclaim runs the deferred split (no mmap_lock
 * of ours held: each page's PTE goes through a migration entry and back)
 * while CPU 0 forks the process.  Fork makes each exclusive migration
 * entry it copies a plain readable one, so the pages must come back
 * shared: after the race the child writes every page and the parent must
 * still read its own data, then the other way round.  debug/check_exclusive
 * is on, so a write that would reach the other process's page is a BUG at
 * the fault itself.
 *
 * Rounds (MMLAB_SPLIT_FORK_ROUNDS, default 8), each on its own THP, all
 * faulted before the hog fills memory.  Under MMLAB_SCHED a run is one
 * deterministic schedule; make test runs a fixed seed of it too.  (The
 * stale exclusive mark a split left behind, which the THP stress test
 * found, needs the fork inside one split's unmap-to-remap window, which
 * reclaim's timing seldom gives.)
 *
 * t_drop_caches_races_fork aims at that window: a thread on CPU 1 writes
 * 2 to /proc/sys/vm/drop_caches, whose shrinker splits the partly unmapped
 * THP through rmap (no mmap_lock), while CPU 0 forks.  Under the
 * deterministic scheduler the two interleave at every page-table access,
 * so many seeds put the fork's copy of the THP's page table between the
 * split's unmap and its remap.  MMLAB_SPLIT_FORK_ROUNDS rounds here too.
 *
 * t_split_races_exit splits, through split_huge_pages, a THP that a child
 * maps by its own PMD while the child exits: the split's PMD invalidation
 * must keep the entry from looking empty to the exiting zap.
 */
#include <pthread.h>

#include "harness.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define HOG	(32 * MiB)	/* the hog's memory; all but its last HOG_RACE stays */
#define HOG_RACE (8 * MiB)	/* filled in the race: reclaim runs at once */

struct hog_arg {
	struct mmlab_task *t;
	uint64_t a, seed;
	int ret;
};

/* Fill the last part of the hog's memory (reclaim runs), then give it
 * back. */
static void *hog_fill(void *arg)
{
	struct hog_arg *h = arg;
	uint64_t fa = 0, last = h->a + HOG - HOG_RACE;

	h->ret = mmlab_fill(h->t, last, HOG_RACE, h->seed, &fa);
	if (!h->ret)
		h->ret = mmlab_madvise(h->t, last, HOG_RACE, MADV_DONTNEED);
	return NULL;
}

/* The child writes [a, a + len) (pattern 3r+2); the parent must still read
 * its own (3r+1). */
static void child_writes(struct mmlab_task *t0, struct mmlab_proc *c, uint64_t a, uint64_t len,
			 uint64_t r)
{
	uint64_t bad = 0, fa = 0;

	assert_int_equal(mmlab_fill(mmlab_main_task(c), a, len, 3 * r + 2, &fa), 0);
	if (mmlab_verify(t0, a, len, 3 * r + 1, &bad, &fa))
		fail_msg("round %" PRIu64 ": the parent's page %#" PRIx64 " changed "
			 "when the child wrote", r, bad);
}

static void one_round(struct mmlab_proc *p, struct hog_arg *hog, uint64_t a, uint64_t r)
{
	struct mmlab_task *t0 = mmlab_main_task(p);
	struct mmlab_proc *c = NULL;
	uint64_t bad = 0, fa = 0;
	pthread_t th;

	/* the PMD split, the folio on the deferred split queue */
	assert_int_equal(mmlab_madvise(t0, a, 32 * PG, MADV_DONTNEED), 0);
	assert_int_equal(mmlab_fill(t0, a, 32 * PG, 3 * r + 1, &fa), 0);
	hog->seed = r + 1000;
	assert_int_equal(mmlab_thread_create(&th, hog_fill, hog), 0);
	assert_int_equal(mmlab_fork(p, &c), 0);
	mmlab_thread_join(th);
	assert_int_equal(hog->ret, 0);
	child_writes(t0, c, a, MMLAB_PMD_SIZE, r);
	assert_int_equal(mmlab_fill(t0, a, MMLAB_PMD_SIZE, 3 * r + 3, &fa), 0);
	if (mmlab_verify(mmlab_main_task(c), a, MMLAB_PMD_SIZE, 3 * r + 2, &bad, &fa))
		fail_msg("round %" PRIu64 ": the child's page %#" PRIx64 " changed "
			 "when the parent wrote", r, bad);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_madvise(t0, a, MMLAB_PMD_SIZE, MADV_DONTNEED), 0);
}

static void t_split_races_fork(void **state)
{
	uint64_t rounds = env_u64("MMLAB_SPLIT_FORK_ROUNDS", 8), m, a;
	struct hog_arg hog = { 0 };
	struct mmlab_proc *p, *h;

	(void)state;
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/transparent_hugepage/enabled",
					"always"), 0);
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/debug/check_exclusive", "1"), 0);
	assert_int_equal(mmlab_swapon(128 * MiB), 0);
	p = spawn();
	h = spawn();
	hog.t = task_on(h, 1);
	hog.a = map_anon(h, 0, HOG, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(mmlab_madvise(mmlab_main_task(h), hog.a, HOG, MADV_NOHUGEPAGE), 0);
	m = map_anon(p, 0, (rounds + 1) * MMLAB_PMD_SIZE, PROT_READ | PROT_WRITE, 0);
	a = (m + MMLAB_PMD_SIZE - 1) & ~(MMLAB_PMD_SIZE - 1);
	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t fa = 0;

		assert_int_equal(mmlab_fill(mmlab_main_task(p), a + r * MMLAB_PMD_SIZE,
					    MMLAB_PMD_SIZE, 3 * r + 1, &fa), 0);
	}
	assert_int_equal(vmstat("thp_fault_alloc"), rounds);
	{
		uint64_t fa = 0;

		assert_int_equal(mmlab_fill(mmlab_main_task(h), hog.a, HOG - HOG_RACE, 7, &fa), 0);
	}
	for (uint64_t r = 0; r < rounds; r++)
		one_round(p, &hog, a + r * MMLAB_PMD_SIZE, r);
	print_message("split fork: %" PRIu64 " rounds, thp_split_page %" PRIu64
		      " (deferred %" PRIu64 "), pswpout %" PRIu64 ", pgsteal_direct %" PRIu64
		      ", pgsteal_kswapd %" PRIu64 ", thp_fault_alloc %" PRIu64 "\n", rounds, vmstat("thp_split_page"),
		      vmstat("thp_deferred_split_page"), vmstat("pswpout"),
		      vmstat("pgsteal_direct"), vmstat("pgsteal_kswapd"),
		      vmstat("thp_fault_alloc"));
	assert_true(vmstat("thp_split_page") > 0);
	assert_int_equal(mmlab_exit(h), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

static void *drop_slab_thread(void *arg)
{
	int *ret = arg;

	*ret = mmlab_knob_set("/proc/sys/vm/drop_caches", "2");
	return NULL;
}

/* One round: the THP at @a partly unmapped (queued for a deferred split),
 * drop_caches racing fork, then each side writes and the other must keep
 * its data. */
static void drop_round(struct mmlab_proc *p, uint64_t a, uint64_t r)
{
	struct mmlab_task *t0 = mmlab_main_task(p);
	struct mmlab_proc *c = NULL;
	uint64_t fa = 0, splits = vmstat("thp_split_page");
	pthread_t th;
	int ret = -1;

	assert_int_equal(mmlab_fill(t0, a, MMLAB_PMD_SIZE, 3 * r + 1, &fa), 0);
	assert_int_equal(mmlab_madvise(t0, a, 16 * PG, MADV_DONTNEED), 0);
	assert_int_equal(mmlab_thread_create(&th, drop_slab_thread, &ret), 0);
	assert_int_equal(mmlab_fork(p, &c), 0);
	mmlab_thread_join(th);
	assert_int_equal(ret, 0);
	assert_int_equal(vmstat("thp_split_page"), splits + 1);
	child_writes(t0, c, a + 16 * PG, MMLAB_PMD_SIZE - 16 * PG, r);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_madvise(t0, a, MMLAB_PMD_SIZE, MADV_DONTNEED), 0);
}

static void t_drop_caches_races_fork(void **state)
{
	uint64_t rounds = env_u64("MMLAB_SPLIT_FORK_ROUNDS", 8), m, a;
	struct mmlab_proc *p;

	(void)state;
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/transparent_hugepage/enabled",
					"always"), 0);
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/debug/check_exclusive", "1"), 0);
	p = spawn();
	m = map_anon(p, 0, 2 * MMLAB_PMD_SIZE, PROT_READ | PROT_WRITE, 0);
	a = (m + MMLAB_PMD_SIZE - 1) & ~(MMLAB_PMD_SIZE - 1);
	for (uint64_t r = 0; r < rounds; r++)
		drop_round(p, a, r);
	assert_int_equal(vmstat("drop_slab"), rounds);
	assert_int_equal(mmlab_exit(p), 0);
}

struct split_arg {
	struct mmlab_proc *p;
	uint64_t a;
	int ret;
};

static void *split_thread(void *arg)
{
	struct split_arg *s = arg;
	char buf[80];

	snprintf(buf, sizeof(buf), "%d,0x%" PRIx64 ",0x%" PRIx64, mmlab_pid(s->p), s->a,
		 s->a + MMLAB_PMD_SIZE);
	s->ret = mmlab_knob_set("/sys/kernel/debug/split_huge_pages", buf);
	return NULL;
}

/* One round: a THP the parent and the child both map by a PMD; the split
 * through the parent's range races the child's exit, which starts after
 * @pause.  Returns whether the split reached the child's PMD before the
 * exit's zap did (two PMDs split, not one). */
static bool exit_round(struct mmlab_proc *p, uint64_t a, uint64_t r, unsigned int pause)
{
	struct mmlab_task *t0 = mmlab_main_task(p);
	struct split_arg s = { .p = p, .a = a, .ret = -1 };
	uint64_t fa = 0, bad = 0, pmds;
	struct mmlab_proc *c = NULL;
	pthread_t th;

	assert_int_equal(mmlab_fill(t0, a, MMLAB_PMD_SIZE, 3 * r + 1, &fa), 0);
	assert_int_equal(mmlab_fork(p, &c), 0);
	pmds = vmstat("thp_split_pmd");
	assert_int_equal(mmlab_thread_create(&th, split_thread, &s), 0);
	stress_pause(pause);
	assert_int_equal(mmlab_exit(c), 0);
	mmlab_thread_join(th);
	assert_int_equal(s.ret, 0);
	pmds = vmstat("thp_split_pmd") - pmds;
	if (mmlab_verify(t0, a, MMLAB_PMD_SIZE, 3 * r + 1, &bad, &fa))
		fail_msg("round %" PRIu64 ": the parent's page %#" PRIx64 " changed", r, bad);
	assert_int_equal(mmlab_madvise(t0, a, MMLAB_PMD_SIZE, MADV_DONTNEED), 0);
	return pmds == 2;
}

/*
 * The split of a THP that a dying child maps too: split_huge_pages on the
 * parent's range unmaps the folio from every process through rmap (no
 * mmap_lock of the child's), splitting the child's PMD into a PTE table of
 * migration entries, while the child's exit zaps its address space.  The
 * zap must see the PMD in transition, never an empty entry: a zap that
 * skipped it would leave free_pgtables a table the split had filled (a
 * BUG at the table's free), and the folio's references leaked.
 *
 * Where the window falls depends on how long the parent's split takes, so
 * the rounds search for it: the exit starts after a pause, and a binary
 * search on the pause closes in on the point where the split reaches the
 * child's PMD just as the exit's zap does.  debug/pmd_invalid_window
 * widens the window to a target a deterministic schedule hits (with the
 * PMD cleared instead of invalidated, seeds 1, 2 and 3 each report the
 * BUG).  Every round must split and keep the parent's data.
 */
static void t_split_races_exit(void **state)
{
	uint64_t rounds = env_u64("MMLAB_SPLIT_FORK_ROUNDS", 8) + 8, m, a;
	uint64_t splits = vmstat("thp_split_page");
	unsigned int lo = 0, hi = 1000;
	bool bracketed = false;
	struct mmlab_proc *p;

	(void)state;
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/transparent_hugepage/enabled",
					"always"), 0);
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/debug/pmd_invalid_window",
					"2000"), 0);
	p = spawn();
	m = map_anon(p, 0, 2 * MMLAB_PMD_SIZE, PROT_READ | PROT_WRITE, 0);
	a = (m + MMLAB_PMD_SIZE - 1) & ~(MMLAB_PMD_SIZE - 1);
	for (uint64_t r = 0; r < rounds; r++) {
		/* first a pause long enough for the split to go first, then
		 * halve the bracket */
		unsigned int pause = bracketed ? lo + (hi - lo) / 2 : hi;
		bool reached = exit_round(p, a, r, pause);

		if (!bracketed && !reached && hi < 4000000)
			lo = hi, hi *= 4;
		else if (reached)
			hi = pause, bracketed = true;
		else
			lo = pause;
	}
	print_message("split races exit: %" PRIu64 " rounds, window between pauses %u and %u "
		      "us\n", rounds, lo, hi);
	assert_int_equal(vmstat("thp_split_page"), splits + rounds);
	assert_int_equal(mmlab_exit(p), 0);
}

static int setup_small(void **state)
{
	struct mmlab_config cfg;

	(void)state;
	mmlab_config_default(&cfg);
	cfg.nr_cpus = 2;
	cfg.node_bytes[0] = 48 * MiB;
	machine_up_cfg(&cfg);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_split_races_fork, setup_small,
						teardown_machine),
		cmocka_unit_test_setup_teardown(t_drop_caches_races_fork, setup_small,
						teardown_machine),
		cmocka_unit_test_setup_teardown(t_split_races_exit, setup_small,
						teardown_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
