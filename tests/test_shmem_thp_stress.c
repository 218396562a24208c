/*
 * test_shmem_thp_stress.c - shmem THPs under a randomized race: faults
 * that allocate PMD-sized folios in a memfd's page cache and map them by a
 * PMD, MADV_COLLAPSE and khugepaged's file collapse, MADV_DONTNEED of
 * single pages and whole ranges, MADV_PAGEOUT (reclaim splits the THP and
 * swaps its pages), hole punches and truncations that split a THP covered
 * in part, and fork, all at once, with every byte checked.
 *
 * One seed is one machine: 4 CPUs, roomy or (seeds 1, 4, 7, ...) smaller
 * than what the test maps (reclaim then swaps the file out and splits its
 * THPs), swap on.  shmem_enabled is "always" (odd seeds) or "advise" (even
 * seeds; both mappings MADV_HUGEPAGE).
 * Process P has a memfd of NR 2 MiB ranges mapped MAP_SHARED twice,
 * both PMD-aligned: A at ABASE, B at BBASE (one file page, two virtual
 * addresses: a THP can be PMD-mapped in one and PTE-mapped in the other).
 *
 * A page's content is exact: word at file offset o of a page whose seed is
 * s is splitmix64(s ^ (o >> 3)), zero for s = 0.  Each page has its seed
 * (the last write's, or 0 after a punch or a truncation of it).  Only the
 * holder of a range's claim (a try-lock: nobody ever waits for it) writes,
 * punches or truncates it, and checks it, so every check is exact; the
 * operations that keep data (collapse, zap, pageout, khugepaged, faults by
 * reads) race with them without a claim.
 *
 * Host threads (each simulated CPU is used by one of them):
 *   workers 1-2 (tasks of P on CPUs 1-2): MMLAB_SHST_OPS operations each,
 *     on a claimed range: writes of 1, 16, 512 pages or a random run
 *     through A or B, checks through A or B, a write + MADV_DONTNEED +
 *     check, MADV_COLLAPSE of the range + check, MADV_PAGEOUT + check.
 *   advisor (task of P on CPU 3), no claim: MADV_COLLAPSE of a range,
 *     MADV_DONTNEED of a page or a range, MADV_PAGEOUT of a range, through
 *     A or B; read faults of a page; mmlab_khugepaged_scan(1).  khugepaged's
 *     own thread also runs (scan_sleep_millisecs = 1, max_ptes_none 511).
 *   file (P's main task, CPU 0): on a claimed range, fallocate PUNCH_HOLE
 *     of a page, a run or the whole range; of the last range, ftruncate
 *     shrink to a random page and grow back; pread checks; fork, the
 *     child checks the range through its copy of A, writes into it (the
 *     parent sees that through B), pages it out or collapses it, exits.
 *
 * Checked after each seed: every check passed; every page holds its seed's
 * pattern through A, B and pread; zero stale_tlb_reports and
 * mmlab_walks_into_freed_tables; after munmap of A and B, close of the
 * memfd and P's exit, nr_free_pages is back at its value before P was
 * spawned (swap-cache folios left unmapped must go to memory.reclaim): no
 * leaked folio, THP or table.  Over all seeds at least one shmem THP was
 * made (else the test tests nothing).
 *
 * Environment: MMLAB_SHST_SEEDS (seeds; default 3, 2 under TSan),
 * MMLAB_SHST_SEED_BASE (first seed; default 1, the scheduler's seed under
 * MMLAB_SCHED), MMLAB_SHST_OPS (operations per worker; default 300, 120
 * under TSan), MMLAB_SHST_VERBOSE=1 (counters of every seed).  A failing
 * seed prints "MMLAB_SHST_SEED_BASE=<seed> MMLAB_SHST_SEEDS=1"; the other
 * seeds still run and the test fails at the end.  A seed fixes the machine
 * and every thread's choices; the interleaving is the host's, so a replay
 * reproduces a failure often, not always.  Under the deterministic
 * scheduler (MMLAB_SCHED=<n>, tests/meson.build's shmem_thp_stress_det_1)
 * the interleaving is the scheduler's too and a run replays exactly.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "harness.h"
#include "stress.h"

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#ifdef MMLAB_STRESS_DEFAULT_SECONDS	/* the TSan build */
#define DEF_SEEDS	2
#define DEF_OPS		120
#else
#define DEF_SEEDS	3
#define DEF_OPS		300
#endif

#define RW		(PROT_READ | PROT_WRITE)
#define PMD		MMLAB_PMD_SIZE
#define PPC		512			/* pages per 2 MiB range */
#define NR		4			/* ranges in the file */
#define FPAGES		(NR * PPC)
#define FSIZE		((uint64_t)NR * PMD)
#define ABASE		DIFF_BASE
#define BBASE		(DIFF_BASE + 64 * PMD)
#define NW		2			/* workers, CPUs 1..NW */
#define CPU_ADV		3
#define NCPU		4
#define MAXRUN		64			/* pages per write or check, but a range */

#define THP_KNOB	"/sys/kernel/mm/transparent_hugepage/"

enum { T_W0, T_W1, T_ADV, T_FILE, NT };
static const char *const tname[NT] = { "worker 0", "worker 1", "advisor", "file" };

static struct {
	uint64_t seed, ops;
	bool advise;			/* shmem_enabled=advise (else always) */
	struct mmlab_proc *p;
	int fd;
	struct mmlab_task *wt[NW], *adv;
	_Atomic uint64_t pseed[FPAGES];	/* each page's pattern seed, 0: zero */
	uint64_t prev[FPAGES];		/* the seed before (for the report) */
	atomic_int claim[NR];
	atomic_bool stop;
	atomic_int workers_left;
	struct stress_failures fail[NT];
	_Atomic unsigned long writes, checks, zaps, collapses, coll_ok, pageouts, punches,
			      truncates, forks, preads, scans, adv_ops, past_eof_zero;
} S;

static int verbose;

static uint64_t pat(uint64_t seed, uint64_t off)
{
	return seed ? mmlab_splitmix64(seed ^ (off >> 3)) : 0;
}

static void tfail(int who, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tfail(int who, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stress_vfail(&S.fail[who], fmt, ap);
	va_end(ap);
	atomic_store(&S.stop, true);
}

static bool stopping(void)
{
	return atomic_load_explicit(&S.stop, memory_order_relaxed);
}

static bool claim(int r)
{
	int z = 0;

	return atomic_compare_exchange_strong(&S.claim[r], &z, 1);
}

static void unclaim(int r)
{
	atomic_store(&S.claim[r], 0);
}

/* ------------------------------------------------------------------ */
/* Writes and checks of pages [pg, pg + n) of the file                  */

static _Thread_local uint64_t buf[MAXRUN * PG / 8];

static void set_seed(uint64_t pg, uint64_t n, uint64_t seed)
{
	for (uint64_t k = pg; k < pg + n; k++)
		S.prev[k] = atomic_exchange(&S.pseed[k], seed);
}

/* Write a fresh seed's pattern through the mapping at @base by @t. */
static bool write_pages(int who, struct mmlab_task *t, uint64_t base, uint64_t pg, uint64_t n,
			uint64_t *rng)
{
	uint64_t seed = stress_rnd(rng) | 1;

	while (n) {
		uint64_t k = n < MAXRUN ? n : MAXRUN, fa = 0;
		int ret;

		for (uint64_t i = 0; i < k * PG / 8; i++)
			buf[i] = pat(seed, pg * PG + 8 * i);
		ret = mmlab_write(t, base + pg * PG, buf, k * PG, &fa);
		if (ret) {
			tfail(who, "write %#" PRIx64 "+%" PRIu64 " pages: %d at %#" PRIx64,
			      base + pg * PG, k, ret, fa);
			return false;
		}
		set_seed(pg, k, seed);
		pg += k;
		n -= k;
	}
	S.writes++;
	return true;
}

/* The words of @got (page @pg) that are not its seed's: a report. */
static void mismatch(int who, const char *how, uint64_t pg, const uint64_t *got)
{
	uint64_t s = atomic_load(&S.pseed[pg]), p = S.prev[pg];
	unsigned int cur = 0, old = 0, zero = 0, other = 0;
	int first = -1;

	for (unsigned int i = 0; i < PG / 8; i++) {
		uint64_t o = pg * PG + 8 * i;

		if (got[i] == pat(s, o))
			cur++;
		else if (p && got[i] == pat(p, o))
			old++;
		else if (!got[i])
			zero++;
		else
			other++;
		if (got[i] != pat(s, o) && first < 0)
			first = (int)i;
	}
	tfail(who, "%s: file page %" PRIu64 " (range %" PRIu64 ", page %" PRIu64 ") seed %#"
	      PRIx64 ": word %d is %#" PRIx64 ", want %#" PRIx64 "; words: %u right, %u of the"
	      " seed before (%#" PRIx64 "), %u zero, %u other", how, pg, pg / PPC, pg % PPC, s,
	      first, got[first], pat(s, pg * PG + 8 * (uint64_t)first), cur, old, p, zero, other);
}

static bool compare(int who, const char *how, uint64_t pg, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		uint64_t s = atomic_load(&S.pseed[pg + k]);
		const uint64_t *w = buf + k * PG / 8;

		for (unsigned int i = 0; i < PG / 8; i++)
			if (w[i] != pat(s, (pg + k) * PG + 8 * i)) {
				mismatch(who, how, pg + k, w);
				return false;
			}
	}
	S.checks += n;
	return true;
}

/* Check pages through the mapping at @base by @t. */
static bool check_pages(int who, struct mmlab_task *t, uint64_t base, uint64_t pg, uint64_t n,
			const char *how)
{
	while (n) {
		uint64_t k = n < MAXRUN ? n : MAXRUN, fa = 0;
		int ret = mmlab_read(t, base + pg * PG, buf, k * PG, &fa);

		if (ret) {
			tfail(who, "%s: read %#" PRIx64 "+%" PRIu64 " pages: %d at %#" PRIx64, how,
			      base + pg * PG, k, ret, fa);
			return false;
		}
		if (!compare(who, how, pg, k))
			return false;
		pg += k;
		n -= k;
	}
	return true;
}

/* Check pages through pread of the memfd (P's main task). */
static bool pread_pages(uint64_t pg, uint64_t n, const char *how)
{
	while (n) {
		uint64_t k = n < MAXRUN ? n : MAXRUN;
		long got = mmlab_pread(S.p, S.fd, buf, k * PG, (int64_t)(pg * PG));

		if (got != (long)(k * PG)) {
			tfail(T_FILE, "%s: pread of file page %" PRIu64 "+%" PRIu64 ": %ld", how, pg,
			      k, got);
			return false;
		}
		if (!compare(T_FILE, how, pg, k))
			return false;
		pg += k;
		n -= k;
	}
	S.preads++;
	return true;
}

/* A random run of range @r: a page, a 16-page block, the whole range, or
 * up to MAXRUN pages. */
static void pick_run(int r, uint64_t *rng, uint64_t *pg, uint64_t *n)
{
	uint64_t x = stress_rnd(rng), first = (x >> 8) % PPC;

	switch (x % 6) {
	case 0:
		*pg = (uint64_t)r * PPC + first;
		*n = 1;
		break;
	case 1:
		*pg = (uint64_t)r * PPC + (first & ~15ULL);
		*n = 16;
		break;
	case 2:
		*pg = (uint64_t)r * PPC;
		*n = PPC;
		break;
	default:
		*pg = (uint64_t)r * PPC + first;
		*n = 1 + (x >> 20) % MAXRUN;
		if (first + *n > PPC)
			*n = PPC - first;
		break;
	}
}

static uint64_t mapping(uint64_t *rng)
{
	return stress_rnd(rng) & 1 ? BBASE : ABASE;
}

/* ------------------------------------------------------------------ */
/* Workers                                                              */

static void worker_op(int w, struct mmlab_task *t, int r, uint64_t *rng)
{
	uint64_t pg, n, m = mapping(rng), other = m == ABASE ? BBASE : ABASE;
	uint64_t rbase = (uint64_t)r * PMD, op = stress_rnd(rng) % 10;
	int ret;

	pick_run(r, rng, &pg, &n);
	switch (op) {
	case 0: case 1: case 2: case 3:
		if (write_pages(w, t, m, pg, n, rng) && (op & 1))
			check_pages(w, t, other, pg, n, "check after a write, other mapping");
		break;
	case 4: case 5:
		check_pages(w, t, m, pg, n, "check");
		break;
	case 6:
		if (!write_pages(w, t, m, pg, n, rng))
			break;
		ret = mmlab_madvise(t, m + pg * PG, n * PG, MADV_DONTNEED);
		if (ret)
			tfail(w, "MADV_DONTNEED %#" PRIx64 "+%" PRIu64 " pages: %d", m + pg * PG, n, ret);
		S.zaps++;
		check_pages(w, t, stress_rnd(rng) & 1 ? m : other, pg, n, "check after DONTNEED");
		break;
	case 7: case 8:
		ret = mmlab_madvise(t, m + rbase, PMD, MADV_COLLAPSE);
		S.collapses++;
		S.coll_ok += !ret;
		check_pages(w, t, stress_rnd(rng) & 1 ? m : other, pg, n, "check after COLLAPSE");
		break;
	default:
		ret = mmlab_madvise(t, m + rbase, PMD, MADV_PAGEOUT);
		if (ret)
			tfail(w, "MADV_PAGEOUT %#" PRIx64 ": %d", m + rbase, ret);
		S.pageouts++;
		check_pages(w, t, stress_rnd(rng) & 1 ? m : other, pg, n, "check after PAGEOUT");
		break;
	}
}

static void *worker_main(void *arg)
{
	int w = (int)(intptr_t)arg;
	uint64_t rng = mmlab_splitmix64(S.seed * 131 + (uint64_t)w) | 1;

	for (uint64_t i = 0; i < S.ops && !stopping(); i++) {
		int r = (int)(stress_rnd(&rng) % NR);

		if (!claim(r)) {
			stress_pause(50);
			continue;
		}
		worker_op(w, S.wt[w], r, &rng);
		unclaim(r);
	}
	atomic_fetch_sub(&S.workers_left, 1);
	return NULL;
}

static bool workers_running(void)
{
	return atomic_load(&S.workers_left) > 0 && !stopping();
}

/* ------------------------------------------------------------------ */
/* Advisor: what keeps the data, with no claim                          */

static void *advisor_main(void *arg)
{
	uint64_t rng = mmlab_splitmix64(S.seed ^ 0xad715e);
	struct mmlab_task *t = S.adv;
	uint64_t v;
	int ret;

	(void)arg;
	while (workers_running()) {
		uint64_t x = stress_rnd(&rng), m = mapping(&rng);
		uint64_t r = (x >> 8) % NR, pg = r * PPC + (x >> 16) % PPC;

		switch (x % 8) {
		case 0: case 1:
			mmlab_madvise(t, m + r * PMD, PMD, MADV_COLLAPSE);
			break;
		case 2:
			ret = mmlab_madvise(t, m + pg * PG, PG, MADV_DONTNEED);
			if (ret)
				tfail(T_ADV, "MADV_DONTNEED of a page: %d", ret);
			break;
		case 3:
			ret = mmlab_madvise(t, m + r * PMD, PMD, MADV_DONTNEED);
			if (ret)
				tfail(T_ADV, "MADV_DONTNEED of a range: %d", ret);
			break;
		case 4:
			ret = mmlab_madvise(t, m + r * PMD, PMD, MADV_PAGEOUT);
			if (ret)
				tfail(T_ADV, "MADV_PAGEOUT of a range: %d", ret);
			break;
		case 5: case 6:
			/* a read fault (SIGBUS past a truncation in flight) */
			ret = mmlab_read(t, m + pg * PG, &v, 8, NULL);
			if (ret && ret != MMLAB_SIGBUS)
				tfail(T_ADV, "read of %#" PRIx64 ": %d", m + pg * PG, ret);
			break;
		default:
			mmlab_khugepaged_scan(1);
			S.scans++;
			break;
		}
		S.adv_ops++;
		stress_pause(100);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* File thread: punches, truncation, pread, fork                        */

static void file_punch(int r, uint64_t *rng)
{
	uint64_t pg, n;
	int ret;

	pick_run(r, rng, &pg, &n);
	ret = mmlab_fallocate(S.p, S.fd, MMLAB_FALLOC_FL_PUNCH_HOLE | MMLAB_FALLOC_FL_KEEP_SIZE,
			      (int64_t)(pg * PG), (int64_t)(n * PG));
	if (ret) {
		tfail(T_FILE, "punch of file page %" PRIu64 "+%" PRIu64 ": %d", pg, n, ret);
		return;
	}
	set_seed(pg, n, 0);
	S.punches++;
	check_pages(T_FILE, mmlab_main_task(S.p), mapping(rng), (uint64_t)r * PPC, PPC,
		    "check after a punch");
}

/* The last range: shrink into it, check, grow back. */
static void file_truncate(uint64_t *rng)
{
	uint64_t keep = stress_rnd(rng) % PPC, pg = (NR - 1) * PPC + keep, v = 0, fa = 0;
	struct mmlab_task *t = mmlab_main_task(S.p);
	int ret;

	ret = mmlab_ftruncate(S.p, S.fd, (int64_t)(pg * PG));
	if (ret) {
		tfail(T_FILE, "ftruncate to file page %" PRIu64 ": %d", pg, ret);
		return;
	}
	set_seed(pg, FPAGES - pg, 0);
	/* SIGBUS; or zero, when a shmem THP the size cuts could not be split
	 * (a racing reference): its pages past the size stay in the cache,
	 * zeroed, and a fault may map the whole folio (shmem maps a large
	 * folio past i_size) */
	ret = mmlab_read(t, ABASE + pg * PG, &v, 8, &fa);
	if (!ret && !v)
		S.past_eof_zero++;
	else if (ret != MMLAB_SIGBUS)
		tfail(T_FILE, "read past the size (file page %" PRIu64 "): %d (%#" PRIx64 "), want"
		      " SIGBUS or zero", pg, ret, v);
	check_pages(T_FILE, t, BBASE, (NR - 1) * PPC, keep, "check after a shrink");
	ret = mmlab_ftruncate(S.p, S.fd, (int64_t)FSIZE);
	if (ret)
		tfail(T_FILE, "ftruncate back to %#" PRIx64 ": %d", FSIZE, ret);
	S.truncates++;
	check_pages(T_FILE, t, mapping(rng), (NR - 1) * PPC, PPC, "check after a regrow");
}

/* Fork: the child checks range @r through its A, writes into it (P sees
 * it through B), pages it out or collapses it, and exits. */
static void file_fork(int r, uint64_t *rng)
{
	struct mmlab_proc *c = NULL;
	struct mmlab_task *ct;
	uint64_t pg, n;
	int ret = mmlab_fork(S.p, &c);

	if (ret) {
		tfail(T_FILE, "fork: %d", ret);
		return;
	}
	ct = mmlab_main_task(c);
	if (check_pages(T_FILE, ct, ABASE, (uint64_t)r * PPC, PPC, "child check")) {
		pick_run(r, rng, &pg, &n);
		if (write_pages(T_FILE, ct, ABASE, pg, n, rng))
			check_pages(T_FILE, mmlab_main_task(S.p), BBASE, pg, n,
				    "parent check of the child's write");
		mmlab_madvise(ct, ABASE + (uint64_t)r * PMD, PMD,
			      stress_rnd(rng) & 1 ? MADV_PAGEOUT : MADV_COLLAPSE);
		check_pages(T_FILE, ct, ABASE, pg, n, "child check after its advice");
	}
	ret = mmlab_exit(c);
	if (ret)
		tfail(T_FILE, "child exit: %d", ret);
	S.forks++;
}

static void *file_main(void *arg)
{
	uint64_t rng = mmlab_splitmix64(S.seed ^ 0xf11e);

	(void)arg;
	while (workers_running()) {
		uint64_t x = stress_rnd(&rng);
		int r = (int)((x >> 8) % NR);

		stress_pause(300);
		if (!claim(r))
			continue;
		switch (x % 8) {
		case 0: case 1: case 2:
			file_punch(r, &rng);
			break;
		case 3: case 4:
			if (r == NR - 1)
				file_truncate(&rng);
			else
				pread_pages((uint64_t)r * PPC, PPC, "pread");
			break;
		case 5:
			pread_pages((uint64_t)r * PPC, PPC, "pread");
			break;
		default:
			file_fork(r, &rng);
			break;
		}
		unclaim(r);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* One seed                                                             */



static const char *const stat_names[] = {
	"thp_file_alloc", "thp_file_fallback", "thp_collapse_alloc", "thp_file_mapped",
	"thp_split_page", "thp_split_pmd", "nr_shmem_hugepages", "pswpout", "pswpin",
};

static void print_stats(void)
{
	char line[1024];
	size_t o = 0;

	for (size_t i = 0; i < ARRAY_SIZE(stat_names); i++) {
		uint64_t v = 0;

		if (mmlab_vmstat_get(stat_names[i], &v))
			continue;
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s %" PRIu64, o ? ", " : "",
				      stat_names[i], v);
	}
	print_message("  %s\n", line);
	print_message("  writes %lu, pages checked %lu, zaps %lu, MADV_COLLAPSE %lu (%lu ok), "
		      "pageouts %lu, punches %lu, truncates %lu (%lu zero past the size), forks %lu, "
		      "preads %lu, advisor %lu ops (%lu scans)\n", S.writes, S.checks, S.zaps,
		      S.collapses, S.coll_ok, S.pageouts, S.punches, S.truncates, S.past_eof_zero,
		      S.forks, S.preads, S.adv_ops, S.scans);
}

/* The machine of @seed, its knobs, P with its memfd mapped twice. */
static uint64_t setup(uint64_t seed, bool *tight)
{
	uint64_t out = 0, free0;
	struct mmlab_config cfg;
	struct mmlab_task *mt;

	memset(&S, 0, sizeof(S));
	S.seed = seed;
	S.ops = env_u64("MMLAB_SHST_OPS", DEF_OPS);
	/* every few seeds cover both: odd seeds always, even advise; tight 1, 4, 7... */
	S.advise = !(seed & 1);
	*tight = seed % 3 == 1;
	atomic_store(&S.workers_left, NW);
	mmlab_config_default(&cfg);
	cfg.nr_cpus = NCPU;
	cfg.seed = seed;
	/* tight: less than the file, its fork's tables and the kernel's own */
	cfg.node_bytes[0] = *tight ? 12 * MiB : 128 * MiB;
	machine_up_cfg(&cfg);
	assert_true(mmlab_swapon(64 * MiB) >= 0);
	knob(THP_KNOB "shmem_enabled", S.advise ? "advise" : "always");
	knob(THP_KNOB "enabled", "madvise");
	knob(THP_KNOB "khugepaged/scan_sleep_millisecs", "1");
	knob(THP_KNOB "khugepaged/alloc_sleep_millisecs", "1");
	knob(THP_KNOB "khugepaged/max_ptes_none", "511");
	mmlab_quiesce();
	free0 = vmstat("nr_free_pages");

	S.p = spawn();
	mt = mmlab_main_task(S.p);
	for (int w = 0; w < NW; w++)
		S.wt[w] = task_on(S.p, (unsigned int)w + 1);
	S.adv = task_on(S.p, CPU_ADV);
	S.fd = mmlab_memfd(S.p, "shmem_thp_stress", FSIZE);
	assert_true(S.fd >= 0);
	assert_int_equal(mmlab_mmap(mt, ABASE, FSIZE, RW, MAP_SHARED | MAP_FIXED, S.fd, 0, &out), 0);
	assert_int_equal(mmlab_mmap(mt, BBASE, FSIZE, RW, MAP_SHARED | MAP_FIXED, S.fd, 0, &out), 0);
	if (S.advise) {
		assert_int_equal(mmlab_madvise(mt, ABASE, FSIZE, MADV_HUGEPAGE), 0);
		assert_int_equal(mmlab_madvise(mt, BBASE, FSIZE, MADV_HUGEPAGE), 0);
	}
	return free0;
}

static void race(void)
{
	pthread_t th[NW], adv, file;

	for (int w = 0; w < NW; w++)
		assert_int_equal(mmlab_thread_create(&th[w], worker_main, (void *)(intptr_t)w), 0);
	assert_int_equal(mmlab_thread_create(&adv, advisor_main, NULL), 0);
	assert_int_equal(mmlab_thread_create(&file, file_main, NULL), 0);
	for (int w = 0; w < NW; w++)
		mmlab_thread_join(th[w]);
	mmlab_thread_join(adv);
	mmlab_thread_join(file);
}

/* Every page through A, B and pread; the detectors. */
static void final_check(void)
{
	struct mmlab_task *mt = mmlab_main_task(S.p);
	uint64_t stale, walks;

	if (stopping())
		return;
	if (check_pages(T_FILE, mt, ABASE, 0, FPAGES, "final check through A") &&
	    check_pages(T_FILE, mt, BBASE, 0, FPAGES, "final check through B"))
		pread_pages(0, FPAGES, "final pread");
	stale = vmstat("stale_tlb_reports");
	walks = vmstat("mmlab_walks_into_freed_tables");
	if (stale)
		tfail(T_FILE, "stale_tlb_reports = %" PRIu64, stale);
	if (walks)
		tfail(T_FILE, "mmlab_walks_into_freed_tables = %" PRIu64, walks);
}

/* Unmap, close, exit: every page back. */
static void exit_check(uint64_t free0)
{
	struct mmlab_task *mt = mmlab_main_task(S.p);
	uint64_t freeN, orphans;

	assert_int_equal(mmlab_munmap(mt, ABASE, FSIZE), 0);
	assert_int_equal(mmlab_munmap(mt, BBASE, FSIZE), 0);
	assert_int_equal(mmlab_close(S.p, S.fd), 0);
	assert_int_equal(mmlab_exit(S.p), 0);
	S.p = NULL;
	freeN = free_pages_settle(free0);
	orphans = vmstat("nr_swapcached");
	/* a swap-cache folio whose last user went while someone else held its
	 * lock stays in the swap cache until reclaim meets it (the kernel's
	 * free_swap_and_cache only trylocks): not a leak if reclaim frees it */
	if (freeN < free0 && orphans) {
		char req[32];

		snprintf(req, sizeof(req), "%" PRIu64, (free0 - freeN) * PG);
		mmlab_knob_set("/sys/fs/cgroup/memory.reclaim", req);
		freeN = free_pages_settle(free0);
	}
	if (freeN != free0 && !stopping())
		tfail(T_FILE, "nr_free_pages %" PRIu64 " after exit, want %" PRIu64 " (%+" PRId64
		      " pages; shmem %" PRIu64 ", shmem THPs %" PRIu64 ", page tables %" PRIu64
		      ", swapcache %" PRIu64 ")", freeN, free0, (int64_t)(freeN - free0),
		      vmstat("nr_shmem"), vmstat("nr_shmem_hugepages"),
		      vmstat("nr_page_table_pages"), vmstat("nr_swapcached"));
}

/* 0 or 1; *thps: shmem THPs the seed made. */
static int run_one(uint64_t seed, uint64_t *thps)
{
	uint64_t free0;
	bool tight;
	int fails = 0;
	double t0, secs;

	free0 = setup(seed, &tight);
	t0 = now_s();	/* the machine's clock when deterministic */
	race();
	final_check();
	*thps += vmstat("thp_file_alloc") + vmstat("thp_collapse_alloc");
	if (verbose || stopping())
		print_stats();
	exit_check(free0);
	secs = now_s() - t0;
	mmlab_machine_destroy();

	for (int i = 0; i < NT; i++)
		if (S.fail[i].n) {
			if (!fails++)
				print_message("seed %" PRIu64 ": %s: %s (%lu failures)\n", seed,
					      tname[i], S.fail[i].first, S.fail[i].n);
		}
	print_message("seed %" PRIu64 " shmem_enabled=%s %s: %.1f s, %lu forks, %lu punches, "
		      "%lu truncates%s\n", seed, S.advise ? "advise" : "always",
		      tight ? "tight" : "roomy", secs, S.forks, S.punches, S.truncates,
		      fails ? ": FAILED" : "");
	if (fails)
		print_message("  replay: MMLAB_SHST_SEED_BASE=%" PRIu64 " MMLAB_SHST_SEEDS=1\n", seed);
	return fails ? 1 : 0;
}

static void t_shmem_thp_stress(void **state)
{
	uint64_t nseeds = env_u64("MMLAB_SHST_SEEDS", DEF_SEEDS);
	uint64_t base = env_u64("MMLAB_SHST_SEED_BASE",
				mmlab_deterministic() || getenv("MMLAB_SCHED") ? seed_default() : 1);
	uint64_t thps = 0;
	int failed = 0;

	(void)state;
	verbose = (int)env_u64("MMLAB_SHST_VERBOSE", 0);
	print_message("shmem THP stress: seeds %" PRIu64 "..%" PRIu64 ", %" PRIu64
		      " ops per worker\n", base, base + nseeds - 1,
		      env_u64("MMLAB_SHST_OPS", DEF_OPS));
	for (uint64_t s = base; s < base + nseeds; s++)
		failed += run_one(s, &thps);
	if (failed)
		fail_msg("%d of %" PRIu64 " seeds failed (first failure and replay line above)",
			 failed, nseeds);
	if (!thps)
		fail_msg("no shmem THP was made in %" PRIu64 " seeds", nseeds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_shmem_thp_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
