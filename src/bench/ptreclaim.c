/*
 * ptreclaim.c - `mmlab bench ptreclaim`: freeing empty PTE tables (page-table
 * reclaim).
 *
 * Records, one per `case` (and `side` / `scan_mode` where it applies):
 *
 * - rfc_program: the series' test program (its cover letter): mmap
 *   50 GiB (MAP_NORESERVE), 25600 x { touch 2 MiB; MADV_DONTNEED 2 MiB }.
 *   `vmpte_before_kb` (right after the mmap) and `vmpte_after_kb` (at the
 *   end), whole-process VmPTE as the series measured it, for the model with
 *   pt_reclaim/zap = 0 (the pre-6.14 kernel) and 1, and for the host kernel
 *   in the same run (a forked child).  `upstream_after_kb` is the series'
 *   figure for that kernel (102640 kB before the patch, 240 kB after).  The
 *   host places a 50 GiB anonymous mapping on a 2 MiB boundary (THP
 *   alignment, 6.7+), and so does the model (mmap.c); the model's program
 *   still maps 2 MiB more and starts at the first boundary, so that it
 *   does not depend on that placement: `aligned` says what the plain mmap
 *   returned.  The model runs with no_data frames (only the page tables
 *   matter).
 * - free_heavy / unmap_free, per scan_mode: workloads MADV_DONTNEED's zap
 *   cannot reclaim.  free_heavy: --size (1 GiB) written, MADV_FREE, then
 *   MADV_PAGEOUT discards the lazily freed pages: every table is empty.
 *   unmap_free: --size written, the upper 1 MiB of every 2 MiB unmapped and
 *   the lower 1 MiB zapped (MADV_DONTNEED of 1 MiB): every table is empty,
 *   and spans a VMA and a hole.  Then scan = always, scan_delay_ms = 20,
 *   and the process keeps returning to user space (a 1-page read every
 *   ~0.2 ms): VmPTE at 0, 1, 2 and 5 intervals (`vmpte_t0_kb`,
 *   `vmpte_1i_kb`, `vmpte_2i_kb`, `vmpte_5i_kb`), `reclaim_ms` (until the
 *   last empty table went; null if some never did), `tables_freed`,
 *   `scan_ns_per_gib` (one asynchronous scan of those empty tables, freeing
 *   them), `refault_ns` (a first touch in a reclaimed 2 MiB: new table +
 *   fault) beside `fault_ns` (the same touch where the empty table was
 *   kept).
 * - scan_mode, per scan_mode: `scan_ns_per_gib`: the asynchronous scan of
 *   1 GiB of populated address space (nothing to free), from the time of a
 *   returning call with and without the scan; `host_pagemap_ns_per_gib`:
 *   the host kernel reading /proc/self/pagemap for 1 GiB of populated
 *   memory, same run; `ratio` = scan / pagemap, `verdict` pass when below 1
 *   (the goal).  `fault_ns_idle` / `fault_ns_scanning`: a second
 *   CPU's fault (MADV_DONTNEED of one page, then a write to it) in the
 *   tables being scanned, with scan = never and with the asynchronous
 *   scanner running every millisecond (scan_delay_ms = 1, `scans_per_s`)
 *   as the first CPU keeps returning to user space; `fault_wait_ns` is the
 *   difference: what a fault pays for a scanner beside it (lock waits, and
 *   the scans its own returns run).
 * - scan_best / scan_worst, per scan_mode: the scanner's best and worst
 *   case over 1 GiB of 512 PTE tables that each map one page: the first
 *   (`entries_read_per_table` 1) or the last (512: every entry read; a
 *   table with no entry at all is read the same way, and freed).
 *   `scan_ns_per_gib` as above, beside `host_pagemap_ns_per_gib`, the host
 *   kernel reading /proc/self/pagemap for 1 GiB laid out the same way
 *   (`page_per_2mib`), `ratio` and `verdict` as the scan_mode case.
 *   scan_empty: tables with no entry (free_heavy's layout and its
 *   scan_ns_per_gib, a scan that also frees them) beside the host's
 *   pagemap read after the same MADV_FREE + MADV_PAGEOUT.
 * - recorded_python, per side (zap_off, zap_on, scanner): a real program's
 *   discards (Debian's python3 on a generated buffer-pool program,
 *   recorded once, the trace cached by recorded.c), replayed with the zap
 *   off, on, and the zap off with the asynchronous scanner: VmPTE largest
 *   and at the end, tables freed, the scanner's work and what each side
 *   costs against zap_off.
 *
 * Wall-clock figures: run it on an idle machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mmlab/mmlab.h>

#include "bench.h"
#include "recorded.h"
#include "record/replay.h"

#define PG		MMLAB_PAGE_SIZE
#define PMD		MMLAB_PMD_SIZE
#define MIB		(1ULL << 20)
#define RW		(PROT_READ | PROT_WRITE)
#define SEED_LEN	(50 * BENCH_GIB)
#define SEED_STEPS	25600
#define DELAY_MS	20
#define NMODES		2

static const char *const modes[NMODES] = { "locked", "lockless" };

/*
 * The scanner's best and worst case: 1 GiB whose 512 PTE tables each map
 * one page, the first (a table's first entry is not none: one entry read,
 * the table kept) or the last (511 none entries before it: all 512 read,
 * the table kept).  Repeatable: no table is freed.
 */
enum { BEST, WORST, NLAYOUTS };
static const char *const layout_case[NLAYOUTS] = { "scan_best", "scan_worst" };
static const unsigned int layout_page[NLAYOUTS] = { 0, 511 };
static const unsigned int layout_reads[NLAYOUTS] = { 1, 512 };

struct case_out {
	double t0, i1, i2, i5;		/* VmPTE kB */
	double reclaim_ms, tables_freed, scan_ns_per_gib, refault_ns, fault_ns;
	double tables_empty;
};

struct pr_out {
	double seed_before[2], seed_after[2], seed_secs[2];	/* zap 0, 1 */
	int rfc_aligned;
	struct case_out free_heavy[NMODES], unmap_free[NMODES];
	double scan_ns_per_gib[NMODES];
	double sparse_ns_per_gib[NMODES][2];	/* [mode][best, worst] */
	double fault_idle[NMODES], fault_scanning[NMODES], scans_per_s[NMODES];
	int err;
	char what[160];
};

struct pr_args {
	uint64_t size;
	unsigned int reps;
	bool skip_seed;
};

static void out_init(struct pr_out *o)
{
	double *d = (double *)o;

	memset(o, 0, sizeof(*o));
	/* every double of the struct up to rfc_aligned ... is NAN */
	for (size_t i = 0; i < offsetof(struct pr_out, rfc_aligned) / sizeof(double); i++)
		d[i] = NAN;
	for (int m = 0; m < NMODES; m++) {
		double *c[] = { (double *)&o->free_heavy[m], (double *)&o->unmap_free[m] };

		for (int k = 0; k < 2; k++)
			for (size_t i = 0; i < sizeof(struct case_out) / sizeof(double); i++)
				c[k][i] = NAN;
		o->scan_ns_per_gib[m] = o->fault_idle[m] = o->fault_scanning[m] = NAN;
		o->sparse_ns_per_gib[m][0] = o->sparse_ns_per_gib[m][1] = NAN;
		o->scans_per_s[m] = NAN;
	}
	o->rfc_aligned = -1;
}

static double vmpte(struct mmlab_proc *p)
{
	struct mmlab_status st;

	if (mmlab_status(p, &st))
		return NAN;
	return (double)st.VmPTE;
}

static int knob(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mm/mmlab/pt_reclaim/%s", name);
	return mmlab_knob_set(path, val);
}

/* ---- model: the RFC program ---- */

static int seed_model(struct pr_out *o, int zap)
{
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t m, a, fa;
	double t0;

	BENCH_TRY(o, knob("zap", zap ? "1" : "0"), "knob zap");
	BENCH_TRY(o, mmlab_spawn(&p), "spawn");
	t = mmlab_main_task(p);
	BENCH_TRY(o, mmlab_mmap(t, 0, SEED_LEN + PMD, RW, MAP_PRIVATE | MAP_ANONYMOUS |
			  MAP_NORESERVE, -1, 0, &m), "mmap 50 GiB");
	o->rfc_aligned = (m & (PMD - 1)) == 0;
	a = (m + PMD - 1) & ~(PMD - 1);
	o->seed_before[zap] = vmpte(p);
	t0 = bench_now();
	for (int i = 0; i < SEED_STEPS; i++) {
		BENCH_TRY(o, mmlab_touch(t, a + (uint64_t)i * PMD, PMD, true, &fa), "touch 2 MiB");
		BENCH_TRY(o, mmlab_madvise(t, a + (uint64_t)i * PMD, PMD, MADV_DONTNEED),
		    "MADV_DONTNEED 2 MiB");
	}
	o->seed_secs[zap] = bench_now() - t0;
	o->seed_after[zap] = vmpte(p);
	BENCH_TRY(o, mmlab_exit(p), "exit");
	BENCH_TRY(o, knob("zap", "1"), "knob zap");
	return 0;
}

/* ---- model: free_heavy / unmap_free ---- */

static int kick(struct mmlab_task *t, uint64_t k)
{
	uint64_t fa;

	return mmlab_touch(t, k, 1, false, &fa);
}

/* Time of one returning call, with the scan set as it is: best of n. */
static double call_ns(struct mmlab_task *t, uint64_t k, int n)
{
	double best = INFINITY;

	for (int i = 0; i < n; i++) {
		double t0 = bench_now();

		kick(t, k);
		t0 = bench_now() - t0;
		if (t0 < best)
			best = t0;
	}
	return best * 1e9;
}

/* A process with --size at a 2 MiB boundary and a kick page, populated. */
static int make_proc(struct pr_out *o, uint64_t size, struct mmlab_proc **pp,
		     uint64_t *ap, uint64_t *kp)
{
	struct mmlab_task *t;
	uint64_t m, fa;

	BENCH_TRY(o, mmlab_spawn(pp), "spawn");
	t = mmlab_main_task(*pp);
	BENCH_TRY(o, mmlab_mmap(t, 0, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, kp), "mmap kick");
	BENCH_TRY(o, mmlab_touch(t, *kp, PG, true, &fa), "touch kick");
	BENCH_TRY(o, mmlab_mmap(t, 0, size + PMD, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &m),
	    "mmap");
	*ap = (m + PMD - 1) & ~(PMD - 1);
	BENCH_TRY(o, mmlab_madvise(t, m, size + PMD, MADV_NOHUGEPAGE), "nohugepage");
	BENCH_TRY(o, mmlab_touch(t, *ap, size, true, &fa), "touch");
	return 0;
}

/* Make the @n tables at @a empty again (a page written, then zapped: a
 * one-page MADV_DONTNEED frees no table); scan never while it runs. */
static int rebuild(struct pr_out *o, struct mmlab_task *t, uint64_t a, uint64_t n)
{
	uint64_t fa;

	for (uint64_t i = 0; i < n; i++) {
		BENCH_TRY(o, mmlab_touch(t, a + i * PMD, PG, true, &fa), "retouch");
		BENCH_TRY(o, mmlab_madvise(t, a + i * PMD, PG, MADV_DONTNEED), "rezap");
	}
	return 0;
}

static int async_case(struct pr_out *o, struct case_out *c, const char *mode,
		      uint64_t size, unsigned int reps, bool unmap)
{
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t a, k, fa, n = size / PMD, f0;
	double v0, target, t0, el, ns_scan, ns_plain;
	(void)v0;
	bool done = false;

	BENCH_TRY(o, knob("scan", "never"), "knob scan");
	BENCH_TRY(o, knob("scan_mode", mode), "knob scan_mode");
	BENCH_TRY(o, knob("scan_size", "2147483648"), "knob scan_size");
	if (make_proc(o, size, &p, &a, &k))
		return o->err;
	t = mmlab_main_task(p);
	if (unmap) {
		for (uint64_t i = 0; i < n; i++) {
			BENCH_TRY(o, mmlab_munmap(t, a + i * PMD + PMD / 2, PMD / 2), "munmap half");
			BENCH_TRY(o, mmlab_madvise(t, a + i * PMD, PMD / 2, MADV_DONTNEED),
			    "MADV_DONTNEED half");
		}
	} else {
		BENCH_TRY(o, mmlab_madvise(t, a, size, MADV_FREE), "MADV_FREE");
		BENCH_TRY(o, mmlab_madvise(t, a, size, MADV_PAGEOUT), "MADV_PAGEOUT");
	}
	v0 = vmpte(p);
	c->tables_empty = (double)n;
	target = v0 - 4.0 * (double)n;
	/* The cost of one scan of these empty tables (freeing them): one
	 * returning call with the scan due, minus one without; best of
	 * --reps, the empty tables rebuilt in between. */
	ns_plain = call_ns(t, k, 50);
	BENCH_TRY(o, knob("scan_delay_ms", "0"), "knob delay");
	for (unsigned int r = 0; r < reps; r++) {
		if (r && rebuild(o, t, a, n))
			return o->err;
		BENCH_TRY(o, knob("scan", "always"), "knob scan");
		ns_scan = call_ns(t, k, 1);	/* covers all: scan_size 2 GiB */
		BENCH_TRY(o, knob("scan", "never"), "knob scan");
		ns_scan = (ns_scan - ns_plain) * (double)BENCH_GIB / (double)size;
		if (isnan(c->scan_ns_per_gib) || ns_scan < c->scan_ns_per_gib)
			c->scan_ns_per_gib = ns_scan;
	}
	/* Over time: a scan runs (the interval starts), the tables are
	 * emptied again (within the interval: no scan meanwhile unless it
	 * takes longer), and the process keeps returning to user space.
	 * reclaim_ms runs from the first table emptied to the last freed. */
	{
		char d[16];

		snprintf(d, sizeof(d), "%d", DELAY_MS);
		BENCH_TRY(o, knob("scan_delay_ms", d), "knob delay");
	}
	BENCH_TRY(o, knob("scan", "always"), "knob scan");
	kick(t, k);		/* a scan now: the next is due in DELAY_MS */
	f0 = bench_vm("mmlab_pt_reclaim_tables_freed");
	t0 = bench_now();
	if (rebuild(o, t, a, n))
		return o->err;
	c->t0 = vmpte(p);
	for (;;) {
		double v;

		kick(t, k);
		el = (bench_now() - t0) * 1e3;
		v = vmpte(p);
		if (isnan(c->i1) && el >= DELAY_MS)
			c->i1 = v;
		if (isnan(c->i2) && el >= 2 * DELAY_MS)
			c->i2 = v;
		if (!done && v <= target) {
			c->reclaim_ms = el;
			done = true;
		}
		if (el >= 5 * DELAY_MS) {
			c->i5 = v;
			break;
		}
		usleep(200);
	}
	c->tables_freed = (double)(bench_vm("mmlab_pt_reclaim_tables_freed") - f0);
	BENCH_TRY(o, knob("scan", "never"), "knob scan");
	/* refault: a first touch per 2 MiB where the table went ... */
	t0 = bench_now();
	for (uint64_t i = 0; i < n; i++)
		BENCH_TRY(o, mmlab_touch(t, a + i * PMD + PG, PG, true, &fa), "refault");
	c->refault_ns = (bench_now() - t0) * 1e9 / (double)n;
	/* ... and where it stayed (zapped again, one page: kept) */
	for (uint64_t i = 0; i < n; i++)
		BENCH_TRY(o, mmlab_madvise(t, a + i * PMD + PG, PG, MADV_DONTNEED), "zap page");
	t0 = bench_now();
	for (uint64_t i = 0; i < n; i++)
		BENCH_TRY(o, mmlab_touch(t, a + i * PMD + PG, PG, true, &fa), "fault");
	c->fault_ns = (bench_now() - t0) * 1e9 / (double)n;
	BENCH_TRY(o, mmlab_exit(p), "exit");
	return 0;
}

/* ---- model: scan cost on populated memory, faults beside a scan ---- */

struct faulter {
	struct mmlab_task *t;
	uint64_t a, n;		/* tables */
	atomic_bool *stop;
	double ns;		/* per fault */
	int err;
};

static void *faulter_main(void *arg)
{
	struct faulter *f = arg;
	uint64_t fa, done = 0;
	double t0 = bench_now();

	while (!atomic_load(f->stop) || done < 2000) {
		uint64_t x = f->a + (done % f->n) * PMD + 100 * PG;

		if (mmlab_madvise(f->t, x, PG, MADV_DONTNEED) ||
		    mmlab_touch(f->t, x, PG, true, &fa)) {
			f->err = -EIO;
			break;
		}
		done++;
		if (done >= 200000)
			break;
	}
	f->ns = (bench_now() - t0) * 1e9 / (double)done;
	return NULL;
}

/* Faults on CPU 1 in [a, a + size) for @secs; with @scan, CPU 0 keeps
 * returning to user space with scan = always, scan_delay_ms = 1: a scan of
 * the whole range every millisecond, run mostly by CPU 0 (whichever task
 * returns first once one is due runs it; CPU 0 returns far more often).
 * MADV_PT_RECLAIM is no stand-in: it takes mmap_lock for writing. */
static double faults_beside(struct pr_out *o, struct mmlab_proc *p, uint64_t a,
			    uint64_t k, uint64_t size, bool scan, double secs)
{
	struct mmlab_task *t0 = mmlab_main_task(p), *t1;
	struct faulter f = { 0 };
	atomic_bool stop = false;
	pthread_t th;
	double end;

	if (mmlab_thread(p, 1, &t1)) {
		bench_fail(o, -EINVAL, "thread");
		return NAN;
	}
	f.t = t1;
	f.a = a;
	f.n = size / PMD;
	f.stop = &stop;
	if (pthread_create(&th, NULL, faulter_main, &f)) {
		bench_fail(o, -EAGAIN, "pthread_create");
		return NAN;
	}
	end = bench_now() + secs;
	while (bench_now() < end) {
		if (scan)
			kick(t0, k);
		else
			usleep(1000);
	}
	atomic_store(&stop, true);
	pthread_join(th, NULL);
	if (f.err)
		bench_fail(o, f.err, "faulter");
	return f.ns;
}

static int scan_mode_case(struct pr_out *o, int m)
{
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t a, k, s0;
	double plain, scan;

	BENCH_TRY(o, knob("scan", "never"), "knob scan");
	BENCH_TRY(o, knob("scan_mode", modes[m]), "knob scan_mode");
	BENCH_TRY(o, knob("scan_size", "2147483648"), "knob scan_size");
	BENCH_TRY(o, knob("scan_delay_ms", "0"), "knob delay");
	if (make_proc(o, BENCH_GIB, &p, &a, &k))
		return o->err;
	t = mmlab_main_task(p);
	plain = call_ns(t, k, 200);
	BENCH_TRY(o, knob("scan", "always"), "knob scan");
	scan = call_ns(t, k, 200);
	BENCH_TRY(o, knob("scan", "never"), "knob scan");
	/* scan_size 2 GiB: one scan covers the whole address space, of
	 * which 1 GiB is populated (the rest has no tables) */
	o->scan_ns_per_gib[m] = scan - plain;
	o->fault_idle[m] = faults_beside(o, p, a, k, BENCH_GIB, false, 0.5);
	BENCH_TRY(o, knob("scan_delay_ms", "1"), "knob delay");
	BENCH_TRY(o, knob("scan", "always"), "knob scan");
	s0 = bench_vm("mmlab_pt_reclaim_scans");
	o->fault_scanning[m] = faults_beside(o, p, a, k, BENCH_GIB, true, 0.5);
	o->scans_per_s[m] = (double)(bench_vm("mmlab_pt_reclaim_scans") - s0) / 0.5;
	BENCH_TRY(o, knob("scan", "never"), "knob scan");
	BENCH_TRY(o, mmlab_exit(p), "exit");
	return 0;
}

/* One scan of 1 GiB laid out as @l (scan_size 2 GiB, no delay): the time
 * of a returning call with the scan minus without it. */
static int sparse_case(struct pr_out *o, int m, int l)
{
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t m0, a, k, fa;
	double plain, scan;

	BENCH_TRY(o, knob("scan", "never"), "knob scan");
	BENCH_TRY(o, knob("scan_mode", modes[m]), "knob scan_mode");
	BENCH_TRY(o, knob("scan_size", "2147483648"), "knob scan_size");
	BENCH_TRY(o, knob("scan_delay_ms", "0"), "knob delay");
	BENCH_TRY(o, mmlab_spawn(&p), "spawn");
	t = mmlab_main_task(p);
	BENCH_TRY(o, mmlab_mmap(t, 0, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &k), "mmap kick");
	BENCH_TRY(o, mmlab_touch(t, k, PG, true, &fa), "touch kick");
	BENCH_TRY(o, mmlab_mmap(t, 0, BENCH_GIB + PMD, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &m0),
	    "mmap");
	BENCH_TRY(o, mmlab_madvise(t, m0, BENCH_GIB + PMD, MADV_NOHUGEPAGE), "nohugepage");
	a = (m0 + PMD - 1) & ~(PMD - 1);
	for (uint64_t i = 0; i < BENCH_GIB / PMD; i++)
		BENCH_TRY(o, mmlab_touch(t, a + i * PMD + layout_page[l] * PG, PG, true, &fa), "touch");
	plain = call_ns(t, k, 200);
	BENCH_TRY(o, knob("scan", "always"), "knob scan");
	scan = call_ns(t, k, 200);
	BENCH_TRY(o, knob("scan", "never"), "knob scan");
	o->sparse_ns_per_gib[m][l] = scan - plain;
	BENCH_TRY(o, mmlab_exit(p), "exit");
	return 0;
}

static void model_side(void *arg, void *out)
{
	const struct pr_args *a = arg;
	struct pr_out *o = out;
	struct mmlab_config cfg;
	int ret;

	mmlab_config_default(&cfg);
	cfg.nr_cpus = 4;
	cfg.no_data = true;
	cfg.stale_check = 0;
	cfg.node_bytes[0] = 4 * BENCH_GIB + a->size;
	ret = mmlab_machine_create(&cfg);
	if (ret) {
		bench_fail(o, ret, "machine_create");
		return;
	}
	if (!a->skip_seed && (seed_model(o, 0) || seed_model(o, 1)))
		goto out;
	for (int m = 0; m < NMODES; m++) {
		if (async_case(o, &o->free_heavy[m], modes[m], a->size, a->reps, false) ||
		    async_case(o, &o->unmap_free[m], modes[m], a->size, a->reps, true) ||
		    scan_mode_case(o, m) || sparse_case(o, m, BEST) || sparse_case(o, m, WORST))
			goto out;
	}
out:
	mmlab_machine_destroy();
}

/* ---- host ---- */

struct host_seed {
	long before, after;
	int aligned;
	double secs;
	int err;
};

/* The RFC's test program in a child: its VmPTE is a fresh process's. */
static void host_seed(struct host_seed *r)
{
	struct host_seed *sh = mmap(NULL, PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int st;

	r->before = r->after = -1;
	r->aligned = -1;
	r->secs = NAN;
	if (sh == MAP_FAILED)
		return;
	memset(sh, 0, sizeof(*sh));
	sh->err = -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char *m = mmap(NULL, SEED_LEN, RW, MAP_PRIVATE | MAP_ANONYMOUS |
			       MAP_NORESERVE, -1, 0);
		double t0;

		if (m == MAP_FAILED)
			_exit(1);
		sh->aligned = ((uintptr_t)m & (PMD - 1)) == 0;
		sh->before = bench_host_status_kb("VmPTE");
		t0 = bench_now();
		for (int i = 0; i < SEED_STEPS; i++) {
			char *c = m + (size_t)i * PMD;

			for (size_t off = 0; off < PMD; off += PG)
				((volatile char *)c)[off] = 1;
			madvise(c, PMD, MADV_DONTNEED);
		}
		sh->secs = bench_now() - t0;
		sh->after = bench_host_status_kb("VmPTE");
		sh->err = 0;
		_exit(0);
	}
	if (pid > 0 && waitpid(pid, &st, 0) == pid && sh->err == 0)
		*r = *sh;
	munmap(sh, PG);
}

#define LAYOUT_POPULATED	(-1)
#define LAYOUT_EMPTY_TABLES	(-2)

/* ns to read the pagemap entries of 1 GiB of memory: populated, page
 * @page of each 2 MiB alone, or every table empty (LAYOUT_EMPTY_TABLES:
 * written, MADV_FREE, MADV_PAGEOUT, as the free_heavy case). */
static double host_pagemap_ns_per_gib(unsigned int reps, int page)
{
	size_t n = BENCH_GIB / PG;
	uint64_t *buf = malloc(n * 8);
	char *m = mmap(NULL, BENCH_GIB, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double best = INFINITY;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (!buf || m == MAP_FAILED || fd < 0)
		goto out;
	madvise(m, BENCH_GIB, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < BENCH_GIB; off += PG)
		if (page < 0 || (off & (PMD - 1)) == (size_t)page * PG)
			((volatile char *)m)[off] = 1;
	if (page == LAYOUT_EMPTY_TABLES &&
	    (madvise(m, BENCH_GIB, MADV_FREE) || madvise(m, BENCH_GIB, MADV_PAGEOUT)))
		goto out;
	/* 512 KiB of entries per read, as `mmlab bench core` reads */
	for (unsigned int r = 0; r < reps + 2; r++) {
		double t0 = bench_now();
		size_t chunk = 65536;

		for (size_t i = 0; i < n; i += chunk)
			if (pread(fd, buf + i, chunk * 8,
				  (off_t)(((uintptr_t)m / PG + i) * 8)) != (ssize_t)(chunk * 8))
				goto out;
		t0 = bench_now() - t0;
		if (t0 < best)
			best = t0;
	}
out:
	if (fd >= 0)
		close(fd);
	if (m != MAP_FAILED)
		munmap(m, BENCH_GIB);
	free(buf);
	return isinf(best) ? NAN : best * 1e9;
}

/* ---- records ---- */

static void emit_case(struct bench_ctx *ctx, const char *name, int m,
		      const struct case_out *c)
{
	struct bench_rec *r = bench_rec_new(ctx);

	bench_rec_str(r, "case", name);
	bench_rec_str(r, "scan_mode", modes[m]);
	bench_rec_num_or_null(r, "tables_empty", c->tables_empty);
	bench_rec_num_or_null(r, "vmpte_t0_kb", c->t0);
	bench_rec_num_or_null(r, "vmpte_1i_kb", c->i1);
	bench_rec_num_or_null(r, "vmpte_2i_kb", c->i2);
	bench_rec_num_or_null(r, "vmpte_5i_kb", c->i5);
	bench_rec_int(r, "interval_ms", DELAY_MS);
	bench_rec_num_or_null(r, "reclaim_ms", c->reclaim_ms);
	bench_rec_num_or_null(r, "tables_freed", c->tables_freed);
	bench_rec_num_or_null(r, "scan_ns_per_gib", c->scan_ns_per_gib);
	bench_rec_num_or_null(r, "refault_ns", c->refault_ns);
	bench_rec_num_or_null(r, "fault_ns", c->fault_ns);
	bench_rec_str(r, "two_intervals",
		      isnan(c->reclaim_ms) ? "miss" :
		      c->reclaim_ms <= 2 * DELAY_MS ? "pass" : "miss");
	bench_emit(ctx, r);
}

/* A scanner case beside the host's pagemap read of the same layout. */
static void emit_sparse(struct bench_ctx *ctx, const char *name, int m, int page,
			unsigned int reads, double scan, double host)
{
	struct bench_rec *r = bench_rec_new(ctx);
	double ratio = scan / host;

	bench_rec_str(r, "case", name);
	bench_rec_str(r, "scan_mode", modes[m]);
	if (page < 0)
		bench_rec_null(r, "page_per_2mib");	/* none */
	else
		bench_rec_int(r, "page_per_2mib", page);
	bench_rec_int(r, "entries_read_per_table", reads);
	bench_rec_num_or_null(r, "scan_ns_per_gib", scan);
	bench_rec_num_or_null(r, "host_pagemap_ns_per_gib", host);
	bench_rec_num_or_null(r, "ratio", ratio);
	bench_rec_str(r, "verdict", isnan(ratio) ? "n/a" : ratio < 1 ? "pass" : "miss");
	bench_emit(ctx, r);
}

/* ---- the recorded case: a real program's discards, replayed ---- */

/*
 * Python (Debian's python3 binary) running a generated buffer-pool program:
 * REC_SLABS slabs of 2 MiB in one private anonymous mmap, from its first
 * 2 MiB boundary (as allocators align their chunks; under the recorder the
 * mapping is where valgrind put it, not at the boundary the host's THP
 * alignment would give), each written whole and then given back
 * with MADV_DONTNEED, the way an allocator returns free memory; then it
 * exits at once, so that the state measured is the pool's after its work
 * (a long-running process keeps its mapping; an exit would unmap it and
 * free the tables either way).
 */
#define REC_CASE	"recorded_python"
#define REC_PYTHON	"/usr/bin/python3"
#define REC_SLABS	32
#define REC_PROGRAM	"python3: 32 x {write 2 MiB; MADV_DONTNEED 2 MiB} in one mmap"
#define REC_TICK	(1u << 16)	/* accesses between two VmPTE samples */

enum { RS_ZAP0, RS_ZAP1, RS_SCAN, NR_RSIDES };
static const char *const rec_side_name[NR_RSIDES] = { "zap_off", "zap_on", "scanner" };
static const char *const rec_sets[NR_RSIDES][4] = {
	{ "/sys/kernel/mm/mmlab/pt_reclaim/zap=0" },
	{ "/sys/kernel/mm/mmlab/pt_reclaim/zap=1" },
	{ "/sys/kernel/mm/mmlab/pt_reclaim/zap=0", "/sys/kernel/mm/mmlab/pt_reclaim/scan=always",
	  "/sys/kernel/mm/mmlab/pt_reclaim/scan_delay_ms=20" },
};
static const unsigned int rec_nsets[NR_RSIDES] = { 1, 1, 3 };

struct rec_side {
	double peak_kb, after_kb, scans, scanned, freed, sim_s, wall_s, accesses;
};

struct rec_out {
	struct rec_side s[NR_RSIDES];
	int err;
	char what[160];
};

/* The largest VmPTE seen: sampled every REC_TICK accesses. */
static void pte_tick(struct mmlab_proc *p, void *arg)
{
	struct mmlab_status st;
	double *peak = arg;

	if (!mmlab_status(p, &st) && st.VmPTE > *peak)
		*peak = (double)st.VmPTE;
}

static double rec_counter(const struct replay_result *res, const char *name)
{
	for (unsigned int i = 0; i < replay_nr_counters; i++)
		if (!strcmp(replay_counters[i], name))
			return (double)res->counters[i];
	return NAN;
}

static void rec_model_side(void *arg, void *outp)
{
	static struct replay_result res;
	struct rec_out *o = outp;

	for (int k = 0; k < NR_RSIDES; k++) {
		struct rec_side *x = &o->s[k];
		struct replay_opts ro = { .cpus = 1, .mem = BENCH_GIB, .seed = 1, .quiet = true,
					  .sets = (const char **)rec_sets[k], .nsets = rec_nsets[k],
					  .tick = pte_tick, .tick_arg = &x->peak_kb,
					  .tick_every = REC_TICK };

		if (replay_trace(arg, &ro, &res)) {
			snprintf(o->what, sizeof(o->what), "%s replay: %.120s", rec_side_name[k],
				 res.stop);
			o->err = -EIO;
			return;
		}
		x->after_kb = (double)res.end.VmPTE;
		if (x->after_kb > x->peak_kb)
			x->peak_kb = x->after_kb;
		x->scans = rec_counter(&res, "mmlab_pt_reclaim_scans");
		x->scanned = rec_counter(&res, "mmlab_pt_reclaim_tables_scanned");
		x->freed = rec_counter(&res, "mmlab_pt_reclaim_tables_freed");
		x->sim_s = res.sim_s;
		x->wall_s = res.host_s;
		x->accesses = (double)res.accesses;
	}
}

static int write_script(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "import ctypes, mmap, os\n"
		"SLAB = 2 << 20\n"
		"N = %d\n"
		"m = mmap.mmap(-1, (N + 1) * SLAB, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)\n"
		"base = ctypes.addressof(ctypes.c_char.from_buffer(m))\n"
		"first = -base %% SLAB\n"
		"fill = bytes(range(256)) * (SLAB // 256)\n"
		"for i in range(N):\n"
		"    off = first + i * SLAB\n"
		"    m[off:off + SLAB] = fill\n"
		"    m.madvise(mmap.MADV_DONTNEED, off, SLAB)\n"
		"os._exit(0)\n", REC_SLABS);
	return fclose(f) ? -1 : 0;
}

static double pct(double base, double v)
{
	return base > 0 ? 100.0 * (v - base) / base : NAN;
}

static void emit_recorded_side(struct bench_ctx *ctx, const struct bench_trace *tr,
			       const struct rec_out *o, int k)
{
	const struct rec_side *x = &o->s[k], *off = &o->s[RS_ZAP0];
	struct bench_rec *r = bench_rec_new(ctx);

	bench_rec_str(r, "case", REC_CASE);
	bench_rec_str(r, "side", rec_side_name[k]);
	bench_rec_int(r, "zap", k == RS_ZAP1);
	bench_rec_str(r, "program", REC_PROGRAM);
	bench_rec_str(r, "trace", tr->path);
	bench_rec_str(r, "trace_fnv1a64", tr->hash);
	bench_rec_num_or_null(r, "accesses", x->accesses);
	bench_rec_num_or_null(r, "vmpte_before_kb", x->peak_kb);
	bench_rec_num_or_null(r, "vmpte_after_kb", x->after_kb);
	/* 4 KiB per PTE table */
	bench_rec_num_or_null(r, "tables_freed_vs_off", (off->after_kb - x->after_kb) / 4);
	bench_rec_num_or_null(r, "scans", x->scans);
	bench_rec_num_or_null(r, "tables_scanned", x->scanned);
	bench_rec_num_or_null(r, "scanner_tables_freed", x->freed);
	bench_rec_num_or_null(r, "sim_seconds", x->sim_s);
	bench_rec_num_or_null(r, "wall_seconds", x->wall_s);
	bench_rec_num_or_null(r, "cost_sim_pct", pct(off->sim_s, x->sim_s));
	bench_rec_num_or_null(r, "cost_wall_pct", pct(off->wall_s, x->wall_s));
	bench_emit(ctx, r);
}

/*
 * The recorded case: the program recorded once (the trace cached under the
 * build directory), replayed on one CPU with page-table reclaim's zap off
 * (the pre-6.14 kernel), on (6.18), and with the zap off and the RFC's
 * asynchronous scanner instead (scan = always every 20 ms).  Returns 1 when
 * a replay failed; a recorder that is not built is a note.
 */
static int recorded_case(struct bench_ctx *ctx)
{
	static struct bench_trace tr;
	static struct rec_out o;
	char input[4096], err[128];
	const char *argv[] = { REC_PYTHON, input, NULL };

	memset(&o, 0, sizeof(o));
	if (bench_trace_input("ptreclaim-python", input, sizeof(input)) || write_script(input))
		snprintf(tr.err, sizeof(tr.err), "cannot write the program beside the mmlab binary");
	else
		bench_trace_get("ptreclaim-python", argv, input, &tr);
	if (tr.err[0]) {
		bench_trace_note(ctx, REC_CASE, REC_PROGRAM, &tr);
		return 0;
	}
	bench_progress(ctx, "ptreclaim: recorded %s", REC_PROGRAM);
	if (bench_isolate(rec_model_side, tr.path, &o, sizeof(o), 600, err, sizeof(err)) ||
	    o.err) {
		fprintf(stderr, "mmlab bench ptreclaim: recorded case: %s\n",
			o.err ? o.what : err);
		return 1;
	}
	for (int k = 0; k < NR_RSIDES; k++)
		emit_recorded_side(ctx, &tr, &o, k);
	return 0;
}

int bench_ptreclaim(struct bench_ctx *ctx)
{
	struct pr_args a = { .size = ctx->opts.size, .reps = ctx->opts.reps };
	struct pr_out o;
	struct host_seed hs = { -1, -1, -1, NAN, 0 };
	double pagemap_ns = NAN, empty_ns = NAN, sparse_ns[NLAYOUTS] = { NAN, NAN };
	struct bench_rec *r;
	char err[128];
	int ret = 0;

	if (a.size < 64 * MIB)
		a.size = 64 * MIB;
	if (a.size > BENCH_GIB)
		a.size = BENCH_GIB;	/* the scan window covers it all */
	a.size &= ~(PMD - 1);
	if (!a.reps)
		a.reps = 1;
	a.skip_seed = getenv("MMLAB_BENCH_PTRECLAIM_NO_SEED") != NULL;
	out_init(&o);
	if (!ctx->opts.model_only) {
		if (!a.skip_seed) {
			bench_progress(ctx, "ptreclaim: host RFC program (50 GiB)");
			host_seed(&hs);
		}
		pagemap_ns = host_pagemap_ns_per_gib(a.reps, LAYOUT_POPULATED);
		empty_ns = host_pagemap_ns_per_gib(a.reps, LAYOUT_EMPTY_TABLES);
		for (int l = 0; l < NLAYOUTS; l++)
			sparse_ns[l] = host_pagemap_ns_per_gib(a.reps, (int)layout_page[l]);
	}
	if (!ctx->opts.host_only) {
		bench_progress(ctx, "ptreclaim: model");
		if (bench_isolate(model_side, &a, &o, sizeof(o), 1200, err, sizeof(err))) {
			out_init(&o);
			o.err = -EIO;
			snprintf(o.what, sizeof(o.what), "model %s", err);
		}
		if (o.err) {
			fprintf(stderr, "mmlab bench ptreclaim: %s\n", o.what);
			ret = 1;
		}
	}

	for (int zap = 0; zap <= 1; zap++) {
		r = bench_rec_new(ctx);
		bench_rec_str(r, "case", "rfc_program");
		bench_rec_str(r, "side", "model");
		bench_rec_int(r, "zap", zap);
		bench_rec_num_or_null(r, "vmpte_before_kb", o.seed_before[zap]);
		bench_rec_num_or_null(r, "vmpte_after_kb", o.seed_after[zap]);
		bench_rec_int(r, "upstream_after_kb", zap ? 240 : 102640);
		if (o.rfc_aligned < 0)
			bench_rec_null(r, "aligned");
		else
			bench_rec_str(r, "aligned", o.rfc_aligned ? "true" : "false");
		bench_rec_num_or_null(r, "seconds", o.seed_secs[zap]);
		bench_emit(ctx, r);
	}
	r = bench_rec_new(ctx);
	bench_rec_str(r, "case", "rfc_program");
	bench_rec_str(r, "side", "host");
	bench_rec_null(r, "zap");	/* the host kernel's own (6.14+: on) */
	bench_rec_num_or_null(r, "vmpte_before_kb", hs.before < 0 ? NAN : (double)hs.before);
	bench_rec_num_or_null(r, "vmpte_after_kb", hs.after < 0 ? NAN : (double)hs.after);
	bench_rec_int(r, "upstream_after_kb", 240);
	if (hs.aligned < 0)
		bench_rec_null(r, "aligned");
	else
		bench_rec_str(r, "aligned", hs.aligned ? "true" : "false");
	bench_rec_num_or_null(r, "seconds", hs.secs);
	bench_emit(ctx, r);

	for (int m = 0; m < NMODES; m++)
		emit_case(ctx, "free_heavy", m, &o.free_heavy[m]);
	for (int m = 0; m < NMODES; m++)
		emit_case(ctx, "unmap_free", m, &o.unmap_free[m]);
	for (int m = 0; m < NMODES; m++) {
		double ratio = o.scan_ns_per_gib[m] / pagemap_ns;

		r = bench_rec_new(ctx);
		bench_rec_str(r, "case", "scan_mode");
		bench_rec_str(r, "scan_mode", modes[m]);
		bench_rec_num_or_null(r, "scan_ns_per_gib", o.scan_ns_per_gib[m]);
		bench_rec_num_or_null(r, "host_pagemap_ns_per_gib", pagemap_ns);
		bench_rec_num_or_null(r, "ratio", ratio);
		bench_rec_str(r, "verdict", isnan(ratio) ? "n/a" : ratio < 1 ? "pass" : "miss");
		bench_rec_num_or_null(r, "fault_ns_idle", o.fault_idle[m]);
		bench_rec_num_or_null(r, "fault_ns_scanning", o.fault_scanning[m]);
		bench_rec_num_or_null(r, "fault_wait_ns", o.fault_scanning[m] - o.fault_idle[m]);
		bench_rec_num_or_null(r, "scans_per_s", o.scans_per_s[m]);
		bench_emit(ctx, r);
	}
	for (int l = 0; l < NLAYOUTS; l++)
		for (int m = 0; m < NMODES; m++)
			emit_sparse(ctx, layout_case[l], m, (int)layout_page[l], layout_reads[l],
				    o.sparse_ns_per_gib[m][l], sparse_ns[l]);
	/* no entries at all: free_heavy's scan, which frees every table */
	for (int m = 0; m < NMODES; m++)
		emit_sparse(ctx, "scan_empty", m, -1, 512, o.free_heavy[m].scan_ns_per_gib,
			    empty_ns);
	if (!ctx->opts.host_only && recorded_case(ctx))
		ret = 1;
	return ret;
}
