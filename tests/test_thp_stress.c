/*
 * test_thp_stress.c - transparent huge pages under a randomized race: PMD
 * and mTHP faults, splits, collapses, fork, reclaim with swap and
 * move_pages, all at once, with every byte checked.
 *
 * One seed is one machine, run twice: with collapse_locking = mmap_write
 * and = pte_locks.  The seed picks the machine (1 or 2 nodes; roomy, or
 * smaller than the working set so that reclaim swaps and splits folios),
 * which 2 MiB chunks are MADV_HUGEPAGE (PMD THPs, 32 kB mTHPs as fallback)
 * and which rely on hugepages-64kB=always, and every random choice below.
 *
 * Host threads (each simulated CPU is used by one of them):
 *   workers 1-3 (tasks of P on CPUs 1-3): each owns a region of NCH 2 MiB
 *     chunks and does MMLAB_THP_OPS random operations on it: writes of
 *     per-page checkable patterns (mmlab_fill, one seed per page), verifies,
 *     reads of untouched chunks (huge zero page), MADV_DONTNEED of parts and
 *     of whole chunks, munmap + mmap of a part (PMD split, a hole that the
 *     collapser meets), mprotect of a part to read-only / none and back
 *     (split; the write or read must fault), MADV_PAGEOUT, move_pages to the
 *     other node, MADV_COLLAPSE of its own chunks.
 *   collapser (task of P on CPU 4): MADV_COLLAPSE of any chunk of any
 *     worker and mmlab_khugepaged_scan(1), in a loop; khugepaged's own
 *     thread also runs (scan_sleep_millisecs = 1, max_ptes_none = 511,
 *     mthp_collapse = 1: into mTHP sizes too).
 *   forker (P's main task and the child's, CPU 0): forks P while the
 *     workers write, then as the child writes, zaps, pages out and collapses
 *     its copy, checks it, and exits: CoW of PMD- and PTE-mapped large
 *     folios in both directions.  The child's expected content comes from
 *     two snapshots of the workers' per-page state (seqlock-style
 *     generations) before and after the fork: a page no operation touched
 *     in between must match exactly; a page one operation touched may hold,
 *     word by word, the old or the new pattern (or SIGSEGV, for a range
 *     being unmapped or protected); other pages are not checked.
 *   walker (no CPU): mmlab_gup_fast over random chunks of P.
 *   watchdog: aborts the run, naming the seed and mode and what each thread
 *     was doing, when a run takes longer than MMLAB_THP_WATCHDOG_S (120 s).
 *
 * debug/check_exclusive is on: a fault that would let a write reach a
 * page another process still maps is a BUG at that fault.
 *
 * Checked after each run: every worker verify passed and every page of P
 * holds what its worker last wrote (zero where it was discarded); each
 * child page checked as above; zero stale_tlb_reports, zero
 * mmlab_walks_into_freed_tables; after P exits (and the khugepaged, RCU,
 * LRU-batch and per-CPU list drains), nr_free_pages is back at its value
 * before P was spawned, less the huge zero folio if one was allocated (the
 * model keeps it): no leaked folio, table or deposited table.
 *
 * Environment: MMLAB_THP_SEEDS (seeds, each run in both modes; default 2,
 * 1 under TSan), MMLAB_THP_SEED_BASE (first seed; default 1), MMLAB_THP_OPS
 * (operations per worker; default 200, 40 under TSan), MMLAB_THP_MODES ("both",
 * "mmap_write" or "pte_locks"), MMLAB_THP_WATCHDOG_S, MMLAB_THP_VERBOSE=1
 * (counters of every run).  A failing run prints
 * "MMLAB_THP_SEED_BASE=<seed> MMLAB_THP_SEEDS=1 MMLAB_THP_MODES=<mode>";
 * the other seeds still run and the test fails at the end.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "harness.h"
#include "stress.h"

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif
#ifndef MADV_FREE
#define MADV_FREE 8
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#ifdef MMLAB_STRESS_DEFAULT_SECONDS	/* the TSan build */
#define DEF_SEEDS	1
#define DEF_OPS		40
#else
#define DEF_SEEDS	2
#define DEF_OPS		200
#endif

#define RW		(PROT_READ | PROT_WRITE)
#define PMD		MMLAB_PMD_SIZE
#define PPC		512			/* pages per chunk */
#define NW		3			/* workers */
#define NCH		8			/* chunks per worker */
#define WPAGES		(NCH * PPC)		/* pages per worker */
#define BASE		DIFF_BASE
#define WBASE(w)	(BASE + (uint64_t)(w) * NCH * PMD)
#define CPU_FORK	0
#define CPU_COLL	4
#define NCPU		5

#define THP_KNOB	"/sys/kernel/mm/transparent_hugepage/"

struct worker {
	int id;				/* 0..NW-1, on CPU id + 1 */
	struct mmlab_task *t;
	uint64_t rng;
	_Atomic uint64_t seed[WPAGES];	/* pattern seed of each page, 0: zero */
	_Atomic uint64_t gen[WPAGES];	/* odd while an operation runs on it */
	uint64_t prev[WPAGES][3];	/* the page's earlier seeds, newest first */
	char doing[160];		/* for the watchdog (racy on purpose) */
	unsigned long ops, writes, verifies, zaps, unmaps, protects, pageouts,
		      moves, collapses, frees;
	struct stress_failures fail;
};

/* What the child should hold at a page (see the top comment). */
enum cstate { C_EXACT, C_EITHER, C_UNKNOWN };
struct cpage {
	uint8_t st;
	uint64_t a, b;			/* C_EXACT: a; C_EITHER: a or b per word */
	uint64_t hist[3];		/* the child's earlier seeds here, newest first */
};

static struct {
	uint64_t seed;
	const char *mode;
	unsigned int nodes;
	uint64_t ops;
	bool thp_chunk[NW][NCH];	/* MADV_HUGEPAGE */
	struct mmlab_proc *p;
	struct worker w[NW];
	atomic_bool stop;
	atomic_int workers_left;
	/* forker */
	struct cpage cp[NW][WPAGES];
	uint64_t ga[NW][WPAGES], sa[NW][WPAGES];
	unsigned long forks, child_checked_exact, child_checked_either, child_skipped,
		      child_writes, child_sigsegv;
	/* collapser, walker */
	unsigned long coll_calls, coll_ok, coll_err[8], scans, walks;
	char fork_doing[160], coll_doing[160];
	int fails;
	uint64_t orphans;		/* swap-cache folios left unmapped, all runs */
	char why[400];
	pthread_mutex_t why_lock;
	/* watchdog */
	pthread_mutex_t wd_lock;
	pthread_cond_t wd_cond;
	bool wd_done;
	double wd_secs;
	const char *phase;
} S;

static int verbose;

static uint64_t pat(uint64_t seed, uint64_t a)
{
	return seed ? mmlab_splitmix64(seed ^ (a >> 3)) : 0;
}

static void global_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void global_fail(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&S.why_lock);
	if (!S.fails++) {
		va_start(ap, fmt);
		vsnprintf(S.why, sizeof(S.why), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&S.why_lock);
	atomic_store(&S.stop, true);
}

static void wfail(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wfail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stress_vfail(&w->fail, fmt, ap);
	va_end(ap);
	atomic_store(&S.stop, true);
}

static bool stopping(void)
{
	return atomic_load_explicit(&S.stop, memory_order_relaxed);
}

/* ------------------------------------------------------------------ */
/* Page checks                                                          */

/* 0 when the page at @a holds the pattern of @seed (zero for 0); else the
 * first bad address in *bad, or the signal / error returned. */
static int check_page(struct mmlab_task *t, uint64_t a, uint64_t seed, uint64_t *bad)
{
	static _Thread_local uint64_t buf[PG / 8];
	uint64_t fa = 0;
	int ret;

	*bad = UINT64_MAX;
	if (seed) {
		ret = mmlab_verify(t, a, PG, seed, bad, &fa);
		if (ret)
			*bad = fa;
		return ret ? ret : (*bad != UINT64_MAX ? -1 : 0);
	}
	ret = mmlab_read(t, a, buf, PG, &fa);
	if (ret) {
		*bad = fa;
		return ret;
	}
	for (unsigned int i = 0; i < PG / 8; i++)
		if (buf[i]) {
			*bad = a + 8 * i;
			return -1;
		}
	return 0;
}

/* Verify pages [i, i + n) of worker @w through task @t, in runs of one seed. */
/* A page that failed its check: whose pattern do its words hold - the
 * expected seed, an earlier one of this page, zero, or none of these? */
static void explain_page(struct worker *w, struct mmlab_task *t, uint64_t pg)
{
	static __thread uint64_t buf[PG / 8];
	uint64_t a = WBASE(w->id) + pg * PG, cur = atomic_load(&w->seed[pg]);
	unsigned int n[6] = { 0 };	/* cur, prev0..2, zero, other */
	int first_other = -1;

	if (mmlab_read(t, a, buf, PG, NULL))
		return;
	for (unsigned int i = 0; i < PG / 8; i++) {
		uint64_t x = (a >> 3) + i, v = buf[i];
		unsigned int k;

		if (cur && v == mmlab_splitmix64(cur ^ x))
			k = 0;
		else if (w->prev[pg][0] && v == mmlab_splitmix64(w->prev[pg][0] ^ x))
			k = 1;
		else if (w->prev[pg][1] && v == mmlab_splitmix64(w->prev[pg][1] ^ x))
			k = 2;
		else if (w->prev[pg][2] && v == mmlab_splitmix64(w->prev[pg][2] ^ x))
			k = 3;
		else if (!v)
			k = 4;
		else
			k = 5;
		if (k == 5 && first_other < 0)
			first_other = (int)i;
		n[k]++;
	}
	fprintf(stderr, "  page %#" PRIx64 " words: %u expected (seed %#" PRIx64 "), %u/%u/%u "
		"earlier seeds (%#" PRIx64 " %#" PRIx64 " %#" PRIx64 "), %u zero, %u other "
		"(first at word %d)\n", a, n[0], cur, n[1], n[2], n[3], w->prev[pg][0],
		w->prev[pg][1], w->prev[pg][2], n[4], n[5], first_other);
}

static bool verify_range(struct worker *w, struct mmlab_task *t, uint64_t i, uint64_t n,
			 const char *what)
{
	while (n) {
		uint64_t s = atomic_load(&w->seed[i]), k = 1, fa = 0, bad = UINT64_MAX;
		uint64_t a = WBASE(w->id) + i * PG;
		int ret;

		while (k < n && atomic_load(&w->seed[i + k]) == s)
			k++;
		if (s) {
			ret = mmlab_verify(t, a, k * PG, s, &bad, &fa);
			if (!ret && bad != UINT64_MAX)
				ret = -1;
			else if (ret)
				bad = fa;
		} else {
			ret = 0;
			for (uint64_t j = 0; j < k && !ret; j++)
				ret = check_page(t, a + j * PG, 0, &bad);
		}
		if (ret) {
			uint64_t pg = (bad - WBASE(w->id)) / PG;

			if (ret == -1 && pg < WPAGES)
				explain_page(w, t, pg);

			wfail(w, "%s: worker %d page %#" PRIx64 " (chunk %" PRIu64 ", page %" PRIu64
			      ") seed %#" PRIx64 ": %s %d at %#" PRIx64, what, w->id,
			      bad & ~(PG - 1), pg / PPC, pg % PPC,
			      bad != UINT64_MAX && pg < WPAGES ? atomic_load(&w->seed[pg]) : s,
			      ret == -1 ? "mismatch" : "ret", ret, bad);
			return false;
		}
		w->verifies += k;
		i += k;
		n -= k;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Workers                                                              */

static void begin(struct worker *w, uint64_t i, uint64_t n)
{
	for (uint64_t k = i; k < i + n; k++)
		atomic_fetch_add(&w->gen[k], 1);
}

static void end(struct worker *w, uint64_t i, uint64_t n, bool set, uint64_t seed)
{
	for (uint64_t k = i; k < i + n; k++) {
		if (set) {
			memmove(&w->prev[k][1], &w->prev[k][0], 2 * sizeof(w->prev[k][0]));
			w->prev[k][0] = atomic_exchange(&w->seed[k], seed);
		}
		atomic_fetch_add(&w->gen[k], 1);
	}
}

/* A random page range of the worker's region: a whole chunk, aligned
 * 64 kB blocks, or any run of pages. */
static void pick_range(struct worker *w, uint64_t *i, uint64_t *n)
{
	uint64_t c = stress_rnd(&w->rng) % NCH, r = stress_rnd(&w->rng);

	switch (r % 8) {
	case 0:
		*i = c * PPC;
		*n = PPC;
		break;
	case 1: case 2: {
		uint64_t blk = (r >> 8) % (PPC / 16), nb = 1 + (r >> 20) % 4;

		if (blk + nb > PPC / 16)
			nb = PPC / 16 - blk;
		*i = c * PPC + blk * 16;
		*n = nb * 16;
		break;
	}
	case 3: {	/* straddling two chunks */
		uint64_t first = (r >> 8) % PPC, len = 1 + (r >> 20) % 64;

		*i = c * PPC + first;
		*n = *i + len > WPAGES ? WPAGES - *i : len;
		break;
	}
	default: {
		uint64_t first = (r >> 8) % PPC, len = 1 + (r >> 20) % 32;

		*i = c * PPC + first;
		*n = first + len > PPC ? PPC - first : len;
		break;
	}
	}
}

static uint64_t addr_of(struct worker *w, uint64_t i)
{
	return WBASE(w->id) + i * PG;
}

static void op_write(struct worker *w, uint64_t i, uint64_t n)
{
	uint64_t seed = stress_rnd(&w->rng) | 1, fa = 0;
	int ret;

	begin(w, i, n);
	ret = mmlab_fill(w->t, addr_of(w, i), n * PG, seed, &fa);
	end(w, i, n, !ret, seed);
	if (ret)
		wfail(w, "fill %#" PRIx64 "+%" PRIu64 " pages: %d at %#" PRIx64,
		      addr_of(w, i), n, ret, fa);
	w->writes++;
}

static void op_dontneed(struct worker *w, uint64_t i, uint64_t n)
{
	int ret;

	begin(w, i, n);
	ret = mmlab_madvise(w->t, addr_of(w, i), n * PG, MADV_DONTNEED);
	end(w, i, n, !ret, 0);
	if (ret)
		wfail(w, "MADV_DONTNEED %#" PRIx64 "+%" PRIu64 " pages: %d", addr_of(w, i), n, ret);
	w->zaps++;
}

static void op_unmap(struct worker *w, uint64_t i, uint64_t n)
{
	uint64_t a = addr_of(w, i), out = 0;
	int ret;

	begin(w, i, n);
	ret = mmlab_munmap(w->t, a, n * PG);
	if (!ret)
		ret = mmlab_mmap(w->t, a, n * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				 -1, 0, &out);
	/* each chunk's flag again */
	for (uint64_t k = i; !ret && k < i + n; k = (k / PPC + 1) * PPC) {
		uint64_t e = (k / PPC + 1) * PPC < i + n ? (k / PPC + 1) * PPC : i + n;

		if (S.thp_chunk[w->id][k / PPC])
			ret = mmlab_madvise(w->t, addr_of(w, k), (e - k) * PG, MADV_HUGEPAGE);
	}
	end(w, i, n, !ret, 0);
	if (ret)
		wfail(w, "munmap+mmap %#" PRIx64 "+%" PRIu64 " pages: %d", a, n, ret);
	w->unmaps++;
}

static void op_protect(struct worker *w, uint64_t i, uint64_t n)
{
	uint64_t a = addr_of(w, i), v = 0, fa = 0, k = stress_rnd(&w->rng) % n;
	bool none = stress_rnd(&w->rng) % 4 == 0;
	int ret;

	begin(w, i, n);
	ret = mmlab_mprotect(w->t, a, n * PG, none ? PROT_NONE : PROT_READ);
	if (ret) {
		wfail(w, "mprotect %#" PRIx64 "+%" PRIu64 " pages: %d", a, n, ret);
	} else if (none) {
		ret = mmlab_read(w->t, a + k * PG, &v, 8, &fa);
		if (ret != MMLAB_SIGSEGV)
			wfail(w, "read of PROT_NONE page %#" PRIx64 ": %d, want SIGSEGV",
			      a + k * PG, ret);
	} else {
		verify_range(w, w->t, i, n, "read-only");
		ret = mmlab_write(w->t, a + k * PG, &v, 8, &fa);
		if (ret != MMLAB_SIGSEGV)
			wfail(w, "write to read-only page %#" PRIx64 ": %d, want SIGSEGV",
			      a + k * PG, ret);
	}
	ret = mmlab_mprotect(w->t, a, n * PG, RW);
	if (ret)
		wfail(w, "mprotect back %#" PRIx64 "+%" PRIu64 " pages: %d", a, n, ret);
	end(w, i, n, false, 0);
	w->protects++;
}

/* MADV_FREE, a write of the range, then a pageout: what was written after
 * the advice must survive reclaim (a lazyfree folio written again is kept:
 * a small one by its dirty PTE, a large one whole) */
static void op_free_write(struct worker *w, uint64_t i, uint64_t n)
{
	uint64_t seed = stress_rnd(&w->rng) | 1, fa = 0;
	int ret;

	begin(w, i, n);
	ret = mmlab_madvise(w->t, addr_of(w, i), n * PG, MADV_FREE);
	if (!ret)
		ret = mmlab_fill(w->t, addr_of(w, i), n * PG, seed, &fa);
	if (!ret)
		ret = mmlab_madvise(w->t, addr_of(w, i), n * PG, MADV_PAGEOUT);
	end(w, i, n, !ret, seed);
	if (ret)
		wfail(w, "MADV_FREE+fill+MADV_PAGEOUT %#" PRIx64 "+%" PRIu64 " pages: %d",
		      addr_of(w, i), n, ret);
	else
		verify_range(w, w->t, i, n, "written after MADV_FREE");
	w->frees++;
}

static void worker_op(struct worker *w)
{
	uint64_t i, n, r = stress_rnd(&w->rng) % 100, fa = 0;
	int ret;

	pick_range(w, &i, &n);
	snprintf(w->doing, sizeof(w->doing), "op %lu kind %" PRIu64 " at %#" PRIx64
		 " +%" PRIu64 " pages", w->ops, r, addr_of(w, i), n);
	if (r < 32) {
		op_write(w, i, n);
	} else if (r < 55) {
		verify_range(w, w->t, i, n, "verify");
	} else if (r < 60) {	/* read a whole chunk: maps the huge zero page */
		uint64_t c = i / PPC;

		ret = mmlab_touch(w->t, addr_of(w, c * PPC), PMD, false, &fa);
		if (ret)
			wfail(w, "read-touch chunk %#" PRIx64 ": %d at %#" PRIx64,
			      addr_of(w, c * PPC), ret, fa);
	} else if (r < 68) {
		op_dontneed(w, i, n);
	} else if (r < 72) {
		op_unmap(w, i, n);
	} else if (r < 77) {
		op_protect(w, i, n);
	} else if (r < 84) {
		ret = mmlab_madvise(w->t, addr_of(w, i), n * PG, MADV_PAGEOUT);
		if (ret)
			wfail(w, "MADV_PAGEOUT %#" PRIx64 ": %d", addr_of(w, i), ret);
		w->pageouts++;
	} else if (r < 90) {
		if (S.nodes > 1) {
			long m = mmlab_move_pages(S.p, addr_of(w, i), n, (int)(stress_rnd(&w->rng) & 1));

			if (m < 0)
				wfail(w, "move_pages %#" PRIx64 "+%" PRIu64 ": %ld", addr_of(w, i), n, m);
			else
				w->moves += (unsigned long)m;
		} else {
			op_write(w, i, n);
		}
	} else if (r < 94) {
		uint64_t c = i / PPC;

		/* any answer but a crash or a changed byte is right here */
		mmlab_madvise(w->t, addr_of(w, c * PPC), PMD, MADV_COLLAPSE);
		w->collapses++;
	} else if (r < 97) {
		op_free_write(w, i, n);
	} else {
		op_write(w, i, n);
	}
	w->ops++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (uint64_t k = 0; k < S.ops && !stopping(); k++)
		worker_op(w);
	/* every page, still racing with the collapser and the forker */
	if (!stopping()) {
		snprintf(w->doing, sizeof(w->doing), "final verify");
		verify_range(w, w->t, 0, WPAGES, "end of ops");
	}
	snprintf(w->doing, sizeof(w->doing), "done");
	atomic_fetch_sub(&S.workers_left, 1);
	return NULL;
}

static bool workers_running(void)
{
	return atomic_load(&S.workers_left) > 0 && !stopping();
}

/* ------------------------------------------------------------------ */
/* Collapser and walker                                                 */

static void *collapser_main(void *arg)
{
	struct mmlab_task *t = arg;
	uint64_t rng = mmlab_splitmix64(S.seed ^ 0xc011a95e);

	while (workers_running()) {
		uint64_t r = stress_rnd(&rng), w = r % NW, c = (r >> 8) % NCH;
		uint64_t a = WBASE(w) + c * PMD, len = PMD;
		int ret;

		if ((r >> 16) % 8 == 0) {
			snprintf(S.coll_doing, sizeof(S.coll_doing), "khugepaged_scan");
			mmlab_khugepaged_scan(1);
			S.scans++;
			continue;
		}
		if ((r >> 16) % 8 == 1 && c + 1 < NCH)
			len = 2 * PMD;
		snprintf(S.coll_doing, sizeof(S.coll_doing), "MADV_COLLAPSE %#" PRIx64 "+%#" PRIx64,
			 a, len);
		ret = mmlab_madvise(t, a, len, MADV_COLLAPSE);
		S.coll_calls++;
		switch (ret) {
		case 0: S.coll_ok++; break;
		case -EINVAL: S.coll_err[0]++; break;
		case -EAGAIN: S.coll_err[1]++; break;
		case -EBUSY: S.coll_err[2]++; break;
		case -ENOMEM: S.coll_err[3]++; break;
		default:
			global_fail("MADV_COLLAPSE %#" PRIx64 "+%#" PRIx64 ": %d", a, len, ret);
			break;
		}
	}
	snprintf(S.coll_doing, sizeof(S.coll_doing), "done");
	return NULL;
}

static void *walker_main(void *arg)
{
	static _Thread_local uint64_t pfns[PPC];
	uint64_t rng = mmlab_splitmix64(S.seed ^ 0x3a1c3e5);

	(void)arg;
	while (workers_running()) {
		uint64_t r = stress_rnd(&rng);
		long n = mmlab_gup_fast(S.p, WBASE(r % NW) + ((r >> 8) % NCH) * PMD, PPC,
					(r >> 16) & 1 ? pfns : NULL);

		if (n < 0)
			global_fail("gup_fast: %ld", n);
		S.walks++;
		if (S.walks % 16 == 0)
			stress_pause(200);	/* 2 host cores: leave them to the CPUs */
	}
	return NULL;
}

/* The forker and its child's checks */
#include "thp_stress_fork.h"

/* ------------------------------------------------------------------ */
/* Watchdog                                                             */

static void *watchdog_main(void *arg)
{
	struct timespec ts;
	int r = 0;

	double t0 = now_s();

	(void)arg;
	pthread_mutex_lock(&S.wd_lock);
	while (!S.wd_done && r != ETIMEDOUT) {
		double left = t0 + S.wd_secs - now_s();
		double step = verbose >= 2 && left > 5 ? 5 : left;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)step;
		ts.tv_nsec += (long)((step - (double)(time_t)step) * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		r = pthread_cond_timedwait(&S.wd_cond, &S.wd_lock, &ts);
		if (r == ETIMEDOUT && now_s() < t0 + S.wd_secs) {
			r = 0;
			fprintf(stderr, "  [%.0f s] ops %lu %lu %lu, forks %lu, collapses %lu,"
				" scans %lu; forker: %s; collapser: %s\n", now_s() - t0,
				S.w[0].ops, S.w[1].ops, S.w[2].ops, S.forks, S.coll_calls,
				S.scans, S.fork_doing, S.coll_doing);
		}
	}
	if (!S.wd_done) {
		fprintf(stderr, "\nWATCHDOG: seed %" PRIu64 " collapse_locking=%s stuck for %.0f s"
			" in phase '%s'\n", S.seed, S.mode, S.wd_secs, S.phase);
		for (int i = 0; i < NW; i++)
			fprintf(stderr, "  worker %d (cpu %d): %lu ops, %s\n", i, i + 1,
				S.w[i].ops, S.w[i].doing);
		fprintf(stderr, "  forker: %s\n  collapser: %s\n", S.fork_doing, S.coll_doing);
		fprintf(stderr, "replay: MMLAB_THP_SEED_BASE=%" PRIu64 " MMLAB_THP_SEEDS=1"
			" MMLAB_THP_MODES=%s\n", S.seed, S.mode);
		fflush(stderr);
		abort();
	}
	pthread_mutex_unlock(&S.wd_lock);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* One run                                                              */



static const char *const stat_names[] = {
	"thp_fault_alloc", "thp_fault_fallback", "mmlab_mthp_fault_alloc",
	"thp_collapse_alloc", "mmlab_mthp_collapse", "thp_split_pmd", "thp_split_page",
	"thp_split_page_failed", "thp_deferred_split_page", "thp_zero_page_alloc",
	"pswpout", "pswpin", "pgmigrate_success", "pgmigrate_fail", "thp_migration_success",
	"thp_migration_fail", "thp_migration_split",
	"mmlab_cow_copies", "nr_tlb_remote_flush",
};

/* A fresh S for the run of @seed under @mode. */
static void run_reset(uint64_t seed, const char *mode)
{
	memset(&S.w, 0, sizeof(S.w));
	S.seed = seed;
	S.mode = mode;
	S.fails = 0;
	S.why[0] = 0;
	S.forks = S.child_checked_exact = S.child_checked_either = S.child_skipped = 0;
	S.child_writes = S.child_sigsegv = 0;
	S.coll_calls = S.coll_ok = S.scans = S.walks = 0;
	memset(S.coll_err, 0, sizeof(S.coll_err));
	atomic_store(&S.stop, false);
	atomic_store(&S.workers_left, NW);
	strcpy(S.fork_doing, "-");
	strcpy(S.coll_doing, "-");
	S.wd_done = false;
	S.phase = "setup";
}

/* Build the machine of the run and set its knobs: which memory it got
 * (0 roomy, else tight). */
static unsigned int run_machine(uint64_t seed, const char *mode, uint64_t *rng)
{
	struct mmlab_config cfg;
	unsigned int mem_kind;

	/* the machine: 1 or 2 nodes, roomy or smaller than the 48 MiB of data */
	S.nodes = 1 + (unsigned int)(stress_rnd(rng) & 1);
	mem_kind = (unsigned int)(stress_rnd(rng) % 3);
	mmlab_config_default(&cfg);
	cfg.nr_cpus = NCPU;
	cfg.nr_nodes = S.nodes;
	cfg.seed = seed;
	for (unsigned int n = 0; n < S.nodes; n++)
		cfg.node_bytes[n] = (mem_kind == 0 ? 160 * MiB : 40 * MiB) / S.nodes;
	machine_up_cfg(&cfg);
	assert_true(mmlab_swapon(256 * MiB) >= 0);
	knob("/sys/kernel/mm/mmlab/collapse_locking", mode);
	knob(THP_KNOB "enabled", "madvise");
	knob(THP_KNOB "hugepages-64kB/enabled", "always");
	knob(THP_KNOB "hugepages-32kB/enabled", "madvise");
	/* khugepaged collapses into the mTHP sizes too (the mTHP collapse series) */
	knob("/sys/kernel/mm/mmlab/mthp_collapse", "1");
	/* a write that would break copy-on-write is a BUG where it happens */
	knob("/sys/kernel/mm/mmlab/debug/check_exclusive", "1");
	knob(THP_KNOB "khugepaged/scan_sleep_millisecs", "1");
	knob(THP_KNOB "khugepaged/alloc_sleep_millisecs", "1");
	knob(THP_KNOB "khugepaged/pages_to_scan", "2048");
	return mem_kind;
}

/* The process P, its workers' tasks and its mapping, some chunks
 * MADV_HUGEPAGE: the collapser's task. */
static struct mmlab_task *run_spawn(uint64_t seed, uint64_t *rng)
{
	struct mmlab_task *ct;
	uint64_t out = 0;

	S.p = spawn();
	for (int w = 0; w < NW; w++) {
		struct worker *wk = &S.w[w];

		wk->id = w;
		wk->rng = mmlab_splitmix64(seed * 131 + (uint64_t)w) | 1;
		wk->t = task_on(S.p, (unsigned int)w + 1);
		strcpy(wk->doing, "-");
	}
	ct = task_on(S.p, CPU_COLL);
	assert_int_equal(mmlab_mmap(mmlab_main_task(S.p), BASE, NW * NCH * PMD, RW,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, &out), 0);
	for (int w = 0; w < NW; w++)
		for (int c = 0; c < NCH; c++) {
			S.thp_chunk[w][c] = stress_rnd(rng) % 5 < 3;
			if (S.thp_chunk[w][c])
				assert_int_equal(mmlab_madvise(mmlab_main_task(S.p), WBASE(w) + c * PMD,
							       PMD, MADV_HUGEPAGE), 0);
		}
	return ct;
}

/* The workers, the collapser, the walker and the forker, to their end. */
static void run_race(struct mmlab_task *ct)
{
	pthread_t th[NW], coll, walk, fk;

	S.phase = "race";
	for (int w = 0; w < NW; w++)
		assert_int_equal(mmlab_thread_create(&th[w], worker_main, &S.w[w]), 0);
	assert_int_equal(mmlab_thread_create(&coll, collapser_main, ct), 0);
	assert_int_equal(mmlab_thread_create(&walk, walker_main, NULL), 0);
	assert_int_equal(mmlab_thread_create(&fk, forker_main, NULL), 0);
	for (int w = 0; w < NW; w++)
		mmlab_thread_join(th[w]);
	mmlab_thread_join(coll);
	mmlab_thread_join(walk);
	mmlab_thread_join(fk);
}

/* Every page of P checked once more, and the run's counters: its
 * failures. */
static int run_final_check(void)
{
	uint64_t stale, walks_freed;
	int fails = 0;

	/* quiet now: every page of P once more */
	S.phase = "final check";
	for (int w = 0; w < NW && !S.fails; w++)
		if (!S.w[w].fail.n)
			verify_range(&S.w[w], S.w[w].t, 0, WPAGES, "after the race");
	for (int w = 0; w < NW; w++)
		if (S.w[w].fail.n) {
			if (!fails++)
				snprintf(S.why, sizeof(S.why), "worker %d: %s", w, S.w[w].fail.first);
		}
	fails += S.fails;
	stale = vmstat("stale_tlb_reports");
	walks_freed = vmstat("mmlab_walks_into_freed_tables");

	if (verbose || fails || stale || walks_freed) {
		char line[1024];
		size_t o = 0;

		for (size_t i = 0; i < ARRAY_SIZE(stat_names); i++)
			o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s %" PRIu64,
					      i ? ", " : "", stat_names[i], vmstat(stat_names[i]));
		print_message("  %s\n", line);
		print_message("  forks %lu (child pages checked exact %lu, either %lu, skipped %lu;"
			      " child writes %lu, SIGSEGV %lu), MADV_COLLAPSE %lu calls %lu ok"
			      " (EINVAL %lu EAGAIN %lu EBUSY %lu ENOMEM %lu), scans %lu, walks %lu\n",
			      S.forks, S.child_checked_exact, S.child_checked_either, S.child_skipped,
			      S.child_writes, S.child_sigsegv, S.coll_calls, S.coll_ok, S.coll_err[0], S.coll_err[1],
			      S.coll_err[2], S.coll_err[3], S.scans, S.walks);
		for (int w = 0; w < NW; w++)
			print_message("  worker %d: %lu ops, %lu writes, %lu pages verified, %lu zaps,"
				      " %lu unmaps, %lu protects, %lu pageouts, %lu frees, %lu pages moved\n", w,
				      S.w[w].ops, S.w[w].writes, S.w[w].verifies, S.w[w].zaps,
				      S.w[w].unmaps, S.w[w].protects, S.w[w].pageouts, S.w[w].frees,
				      S.w[w].moves);
	}
	if (!fails && stale) {
		snprintf(S.why, sizeof(S.why), "stale_tlb_reports = %" PRIu64, stale);
		fails++;
	}
	if (!fails && walks_freed) {
		snprintf(S.why, sizeof(S.why), "mmlab_walks_into_freed_tables = %" PRIu64, walks_freed);
		fails++;
	}
	return fails;
}

/* P exits and every page comes back: @fails, plus one if not. */
static int run_exit_check(uint64_t free0, uint64_t zp0, int fails)
{
	uint64_t freeN, want, orphans;

	/* nothing leaked */
	S.phase = "exit";
	assert_int_equal(mmlab_exit(S.p), 0);
	S.p = NULL;
	mmlab_khugepaged_scan(1);
	want = free0 - 512 * (vmstat("thp_zero_page_alloc") - zp0);
	freeN = free_pages_settle(want);
	orphans = vmstat("nr_swapcached");
	/* A swap-cache folio whose last PTE went while someone else held its
	 * lock stays in the swap cache, unmapped, until reclaim meets it (the
	 * kernel's free_swap_and_cache and free_swap_cache only trylock).  Not
	 * a leak if reclaim frees it: proactive reclaim of what is missing
	 * must bring every page back (a leaked folio is on no LRU). */
	if (freeN < want && orphans) {
		char req[32];
		int ret;

		snprintf(req, sizeof(req), "%" PRIu64, (want - freeN) * 4096);
		ret = mmlab_knob_set("/sys/fs/cgroup/memory.reclaim", req);
		freeN = free_pages_settle(want);
		if (freeN == want)
			S.orphans += orphans;
		else
			print_message("seed %" PRIu64 " %s: %" PRIu64 " swap-cache pages after exit;"
				      " memory.reclaim: %d, %" PRIu64 " still in the swap cache\n",
				      S.seed, S.mode, orphans, ret, vmstat("nr_swapcached"));
	}
	if (!fails && freeN != want) {
		snprintf(S.why, sizeof(S.why), "nr_free_pages %" PRIu64 " after exit, want %" PRIu64
			 " (%+" PRId64 " pages; anon %" PRIu64 ", page tables %" PRIu64
			 ", swapcache %" PRIu64 ")", freeN, want, (int64_t)(freeN - want),
			 vmstat("nr_anon_pages"), vmstat("nr_page_table_pages"),
			 vmstat("nr_swapcached"));
		fails++;
	}
	return fails;
}

/* 0 or 1: failures of this run (its message printed). */
static int run_one(uint64_t seed, const char *mode)
{
	struct mmlab_task *ct;
	pthread_t wd;
	uint64_t rng = mmlab_splitmix64(seed * 0x9e3779b97f4a7c15ULL + 1);
	uint64_t free0, zp0;
	unsigned int mem_kind;
	double t0 = now_s();
	int fails;

	run_reset(seed, mode);
	assert_int_equal(pthread_create(&wd, NULL, watchdog_main, NULL), 0);

	mem_kind = run_machine(seed, mode, &rng);
	mmlab_quiesce();
	free0 = vmstat("nr_free_pages");
	zp0 = vmstat("thp_zero_page_alloc");
	ct = run_spawn(seed, &rng);

	run_race(ct);
	fails = run_final_check();
	fails = run_exit_check(free0, zp0, fails);

	S.phase = "teardown";
	mmlab_machine_destroy();

	pthread_mutex_lock(&S.wd_lock);
	S.wd_done = true;
	pthread_cond_signal(&S.wd_cond);
	pthread_mutex_unlock(&S.wd_lock);
	pthread_join(wd, NULL);

	print_message("seed %" PRIu64 " %-10s %u node(s) %s: %.1f s, %lu forks%s%s\n", seed, mode,
		      S.nodes, mem_kind == 0 ? "roomy" : "tight", now_s() - t0, S.forks,
		      fails ? ": FAILED: " : "", fails ? S.why : "");
	if (fails)
		print_message("  replay: MMLAB_THP_SEED_BASE=%" PRIu64 " MMLAB_THP_SEEDS=1"
			      " MMLAB_THP_MODES=%s\n", seed, mode);
	return fails ? 1 : 0;
}

static void t_thp_stress(void **state)
{
	uint64_t nseeds = env_u64("MMLAB_THP_SEEDS", DEF_SEEDS);
	uint64_t base = env_u64("MMLAB_THP_SEED_BASE", 1);
	const char *modes = getenv("MMLAB_THP_MODES");
	int failed = 0, runs = 0;

	(void)state;
	S.ops = env_u64("MMLAB_THP_OPS", DEF_OPS);
	S.wd_secs = (double)env_u64("MMLAB_THP_WATCHDOG_S", 120);
	verbose = (int)env_u64("MMLAB_THP_VERBOSE", 0);
	if (!modes || !*modes)
		modes = "both";
	pthread_mutex_init(&S.why_lock, NULL);
	pthread_mutex_init(&S.wd_lock, NULL);
	pthread_cond_init(&S.wd_cond, NULL);
	print_message("thp stress: seeds %" PRIu64 "..%" PRIu64 ", %" PRIu64
		      " ops per worker, modes %s\n", base, base + nseeds - 1, S.ops, modes);
	for (uint64_t s = base; s < base + nseeds; s++) {
		if (strcmp(modes, "pte_locks")) {
			failed += run_one(s, "mmap_write");
			runs++;
		}
		if (strcmp(modes, "mmap_write")) {
			failed += run_one(s, "pte_locks");
			runs++;
		}
	}
	print_message("thp stress: %d runs, %d failed; %" PRIu64 " swap-cache pages left after"
		      " exit (freed by memory.reclaim) in all\n", runs, failed, S.orphans);
	if (failed)
		fail_msg("%d of %d runs failed (first failure and replay line above)", failed, runs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_thp_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
