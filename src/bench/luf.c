/*
 * luf.c - `mmlab bench luf`: LUF, lazy unmap flush, on a tiered-memory
 * workload shaped like LLM inference on DRAM + CXL (llama.cpp with
 * NUMA-balancing tiering and demotion), LUF off then on.
 *
 * Machine: 8 CPUs; node 0 fast, node 1 slow (node_slow, 250 ns); a swap
 * area; demotion_enabled = 1; numa_balancing = 2 (memory tiering) once the
 * memory is set up; the promotion rate limit at the upstream default.
 *
 * Memory, in one process with 8 tasks (one per CPU):
 * - "weights": W = --size / 64 (16 MiB by default), a memfd mapped
 *   PROT_READ.  Per pass (a token) each task reads all of it, from a
 *   per-task start, in layers of 64 pages; per layer it also reads its
 *   layer's slice of its anonymous KV cache (the 8 caches 3 % of W, written
 *   at setup as a prompt fills them), rewrites its 64 KiB compute buffer
 *   and computes for COMPUTE_US (a sleep: the layer's arithmetic, which is
 *   the task's and not the memory manager's); per pass it appends to its
 *   KV cache.  No munmap while measuring.
 * - "idle weights": a second model loaded before and no longer served, a
 *   read-only memfd as large as the fast node, read once by every task at
 *   setup and unreferenced since.
 * Start: the weights on the slow node (move_pages), the KV caches and
 * buffers on the fast node, the idle weights filling the rest of it (what
 * does not fit went to the slow one).  The hot data fits in the fast node
 * with room to spare, so the migrations are set by the data, not by how
 * fast either run goes: each weight page is promoted once (a NUMA-hinting
 * fault after a scan) and kswapd demotes about as many idle pages to make
 * room.  Those are the unmaps LUF takes: every page involved is mapped
 * read-only.
 *
 * Why this shape: promotion waits for a NUMA scan (every 20 ms of host
 * time) and for room that kswapd makes, and kswapd, a kernel thread with
 * no CPU, waits for each unbatched shootdown until every simulated CPU has
 * taken the IPI, in host time.  A working set larger than the fast node
 * thrashes at whatever rate those allow, which differs between the runs
 * (with LUF off kswapd is slower: the LUF-off run migrated 2-5x less); a
 * pass with no time between its memory accesses sees few scans.  The
 * compute time gives every pass several scans and the host's cores time to
 * answer IPIs; the fixed volume makes both runs finish the same migrations.
 *
 * PASSES passes, each followed by a settle phase that sleeps until the
 * migration and reclaim counters stop moving (10 ms polls, 5 quiet, at most
 * 3 s), so that kswapd's demotions of a pass are done, and counted, before
 * the next pass starts; one settle phase before the first pass too.
 *
 * Records: per run {"luf": 0|1, the counter deltas of the measured part
 * (COUNTERS below: shootdown_ipis = nr_tlb_remote_flush_received, the IPIs
 * the CPUs took; remote_flushes, the shootdowns initiated; promotions,
 * demotions, migrations (pgmigrate_success), pgsteal, ...; the IPIs by
 * cause, model counters: ipis_batched (arch_tlbbatch_flush: reclaim and
 * migration), ipis_batched_pending (flush_tlb_batched_pending), ipis_zap
 * (mmu_gather of munmap / zap / madvise), ipis_change_prot (mprotect and
 * the NUMA scan's PROT_NONE), ipis_other (per-PTE flushes), alloc_flush_ipis
 * (LUF: parked frames handed out), luf_mm_flush_ipis (LUF: munmap,
 * mprotect, writes; luf_write_flush_ipis of those)), ipis_unattributed
 * (shootdown_ipis minus the causes: 0 expected), ipis_per_migration,
 * sim_seconds (simulated clock: the makespan, the largest advance of any
 * CPU's cost clock, / 3 GHz), wall_seconds (host wall time of the passes,
 * settle phases excluded), settle_ms, data_errors}; then the summary:
 * ipi_reduction_pct (all shootdown IPIs of the run, LUF on against off:
 * the verdict's metric), work_ratio ((migrations + pgsteal) on / off),
 * ipi_reduction_per_migration_pct (for reference), runtime_change_sim_pct,
 * runtime_change_wall_pct, goal_ipi_reduction_pct 90, verdict (pass: the
 * reduction reaches the goal with no stale-TLB report; n/a when work_ratio
 * is outside 0.9-1.1: the runs did different work) and verdict_why.
 *
 * Then the recorded case (case = recorded_zstd, with the trace's path and
 * hash): Debian's zstd -T2 over generated lines, recorded once (recorded.c
 * caches the trace), replayed on 2 CPUs and two nodes with LUF off, then
 * on; every REC_TICK accesses the replay's tick migrates every page of the
 * process to the other node, so both runs migrate the same pages at the
 * same points of the program.  The same run records and summary.
 * Model only.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mmlab/mmlab.h>

#include "bench.h"
#include "recorded.h"
#include "record/replay.h"

#define PG		MMLAB_PAGE_SIZE
#define MIB		(1ULL << 20)
#define NCPU		8
#define PASSES		12
#define SCRATCH		(64 * 1024)	/* compute buffer per task, reused per layer */
#define COMPUTE_US	250		/* a layer's arithmetic, per task */
#define SETTLE_POLL_MS	10
#define SETTLE_QUIET	5		/* polls without a change */
#define SETTLE_MAX_MS	3000
#define SEED_W		0x11a3aULL
#define SEED_IDLE	0x1d1eULL
#define WORK_MIN	0.9		/* work_ratio range for a verdict */
#define WORK_MAX	1.1
#define GOAL_PCT	90
#define PROMOTE_RATE_MBPS	"65536"	/* upstream default, both runs */
/* The recorded case */
#define REC_CASE	"recorded_zstd"
#define REC_ZSTD	"/usr/bin/zstd"
#define REC_PROGRAM	"zstd -T2 -B512K of 24000 generated lines, 2 CPUs, 2 nodes"
#define REC_LINES	24000
#define REC_CPUS	2
#define REC_NODE_BYTES	(256 * MIB)
#define REC_TICK	(1u << 20)	/* accesses between two migrations of everything */

/* The counters of a run: each the sum of up to three vmstat deltas. */
enum ctr {
	C_IPIS, C_REMOTE, C_LOCAL, C_STALE, C_DEFERRED, C_PROMOTE, C_DEMOTE,
	C_MIGRATE, C_STEAL, C_SWAPOUT, C_HINT,
	C_CAUSE0,	/* the IPIs by cause: C_CAUSE0 .. C_CAUSE0 + NR_CAUSES - 1 */
	C_WRITE_FLUSH = C_CAUSE0 + 7,
	NR_CTR
};
#define NR_CAUSES	(C_WRITE_FLUSH - C_CAUSE0)

static const struct {
	const char *key, *vm[3];
} counters[NR_CTR] = {
	[C_IPIS] = { "shootdown_ipis", { "nr_tlb_remote_flush_received" } },
	[C_REMOTE] = { "remote_flushes", { "nr_tlb_remote_flush" } },
	[C_LOCAL] = { "local_flushes", { "nr_tlb_local_flush_all", "nr_tlb_local_flush_one" } },
	[C_STALE] = { "stale_tlb_reports", { "stale_tlb_reports" } },
	[C_DEFERRED] = { "deferred", { "mmlab_luf_deferred" } },
	[C_PROMOTE] = { "promotions", { "pgpromote_success" } },
	[C_DEMOTE] = { "demotions", { "pgdemote_kswapd", "pgdemote_direct" } },
	[C_MIGRATE] = { "migrations", { "pgmigrate_success" } },
	[C_STEAL] = { "pgsteal", { "pgsteal_kswapd", "pgsteal_direct" } },
	[C_SWAPOUT] = { "swapouts", { "pswpout" } },
	[C_HINT] = { "numa_hint_faults", { "numa_hint_faults" } },
	[C_CAUSE0 + 0] = { "ipis_batched", { "mmlab_ipis_batched" } },
	[C_CAUSE0 + 1] = { "ipis_batched_pending", { "mmlab_ipis_batched_pending" } },
	[C_CAUSE0 + 2] = { "ipis_zap", { "mmlab_ipis_zap" } },
	[C_CAUSE0 + 3] = { "ipis_change_prot", { "mmlab_ipis_change_prot" } },
	[C_CAUSE0 + 4] = { "ipis_other", { "mmlab_ipis_other" } },
	[C_CAUSE0 + 5] = { "alloc_flush_ipis", { "mmlab_luf_alloc_flush_ipis" } },
	[C_CAUSE0 + 6] = { "luf_mm_flush_ipis", { "mmlab_luf_mm_flush_ipis" } },
	[C_WRITE_FLUSH] = { "luf_write_flush_ipis", { "mmlab_luf_write_flush_ipis" } },
};

struct luf_run {
	double v[NR_CTR];
	double sim_seconds, wall_seconds, settle_ms, errors;
	int err;
	char what[120];
};

struct luf_out {
	struct luf_run run[2];
};

struct luf_args {
	uint64_t weights;
};

struct task_arg {
	struct mmlab_task *t;
	pthread_barrier_t *bar;
	uint64_t w, wlen, kv, kv_pages, scratch, rng;
	unsigned long errors;
	int ret;
};

/* The process and its memory. */
struct luf_proc {
	struct mmlab_proc *p;
	uint64_t w, idle, wlen, idle_len;
	struct task_arg ta[NCPU];
};

static void snapshot(double *out)
{
	for (int k = 0; k < NR_CTR; k++) {
		out[k] = 0;
		for (int j = 0; j < 3 && counters[k].vm[j]; j++)
			out[k] += (double)bench_vm(counters[k].vm[j]);
	}
}

static void *task_main(void *arg)
{
	struct task_arg *a = arg;
	struct timespec compute = { 0, COMPUTE_US * 1000L };
	uint64_t fa = 0, bad = 0, pages = a->wlen / PG;

	for (int pass = 0; pass < PASSES; pass++) {
		if (a->ret) {	/* keep the barrier count */
			pthread_barrier_wait(a->bar);
			pthread_barrier_wait(a->bar);
			continue;
		}
		/* a token: every weight page read once, from a per-task start */
		uint64_t start = (a->rng = mmlab_splitmix64(a->rng)) % pages;

		for (uint64_t i = 0, layer = 0; i < pages && !a->ret; i += 64, layer++) {
			uint64_t p0 = (start + i) % pages, n = pages - p0 < 64 ? pages - p0 : 64;

			/* a layer: its weights, then attention over this layer's
			 * slice of the KV cache, then the compute buffer */
			a->ret = mmlab_touch(a->t, a->w + p0 * PG, n * PG, false, &fa);
			if (!a->ret)
				a->ret = mmlab_touch(a->t, a->kv + (layer % a->kv_pages) * PG, PG,
						     false, &fa);
			if (!a->ret)
				a->ret = mmlab_fill(a->t, a->scratch, SCRATCH, a->rng | 1, &fa);
			/* the layer's arithmetic: the CPU is the task's, not
			 * the memory manager's (no cost clock, no mm work) */
			nanosleep(&compute, NULL);
		}
		/* the token's keys and values appended to the KV cache */
		if (!a->ret)
			a->ret = mmlab_fill(a->t, a->kv + (pass % a->kv_pages) * PG, PG, a->rng | 1, &fa);
		/* a sampled check of the weights */
		for (int k = 0; k < 16 && !a->ret; k++) {
			uint64_t p = (a->rng = mmlab_splitmix64(a->rng)) % pages;

			a->ret = mmlab_verify(a->t, a->w + p * PG, PG, SEED_W, &bad, &fa);
			if (!a->ret && bad != UINT64_MAX)
				a->errors++;
		}
		/* the end of a pass: the main thread lets migration settle */
		pthread_barrier_wait(a->bar);
		pthread_barrier_wait(a->bar);
	}
	return NULL;
}

/* Migration and reclaim progress: what the settle phase waits on. */
static uint64_t mig_progress(void)
{
	return bench_vm("pgmigrate_success") + bench_vm("pgmigrate_fail") + bench_vm("pgdemote_kswapd") +
	       bench_vm("pgdemote_direct") + bench_vm("pgpromote_success") + bench_vm("pgsteal_kswapd") +
	       bench_vm("pgsteal_direct") + bench_vm("pswpout");
}

/* Sleep until mig_progress() stays put for SETTLE_QUIET polls (bounded);
 * returns the milliseconds waited. */
static unsigned int settle(void)
{
	struct timespec ts = { 0, SETTLE_POLL_MS * 1000000L };
	uint64_t last = mig_progress(), now;
	unsigned int quiet = 0, ms = 0;

	while (quiet < SETTLE_QUIET && ms < SETTLE_MAX_MS) {
		nanosleep(&ts, NULL);
		ms += SETTLE_POLL_MS;
		now = mig_progress();
		quiet = now == last ? quiet + 1 : 0;
		last = now;
	}
	return ms;
}

static int machine_up(uint64_t wlen, int luf)
{
	struct mmlab_config cfg;
	int ret;

	mmlab_config_default(&cfg);
	cfg.nr_cpus = NCPU;
	cfg.nr_nodes = 2;
	cfg.node_bytes[0] = wlen * 4;		/* the hot data fits, with room */
	cfg.node_bytes[1] = wlen * 8;
	cfg.node_slow[1] = true;
	cfg.node_latency_ns[1] = 250;
	cfg.stale_check = 1;
	cfg.seed = 7;
	ret = mmlab_machine_create(&cfg);
	if (ret)
		return ret;
	ret = mmlab_swapon(wlen * 2);
	if (ret >= 0)
		ret = mmlab_knob_set("/sys/kernel/mm/mmlab/luf/enabled", luf ? "1" : "0");
	if (!ret)
		ret = mmlab_knob_set("/sys/kernel/mm/numa/demotion_enabled", "1");
	if (!ret)
		ret = mmlab_knob_set("/sys/kernel/debug/sched/numa_balancing/scan_period_min_ms", "20");
	if (!ret)
		ret = mmlab_knob_set("/proc/sys/kernel/numa_balancing_promote_rate_limit_MBps",
				     PROMOTE_RATE_MBPS);
	return ret;
}

/* A memfd of @len with mmlab_fill's pattern for @seed, mapped PROT_READ at
 * *@addr (written through a writable mapping at the same address first:
 * the pattern depends on the address). */
static int readonly_file(struct mmlab_task *t, const char *name, uint64_t len,
			 uint64_t seed, uint64_t *addr)
{
	uint64_t fa = 0;
	int fd = mmlab_memfd(mmlab_task_proc(t), name, len), ret;

	if (fd < 0)
		return fd;
	ret = mmlab_mmap(t, 0, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0, addr);
	if (!ret)
		ret = mmlab_fill(t, *addr, len, seed, &fa);
	if (!ret)
		ret = mmlab_munmap(t, *addr, len);
	if (!ret)
		ret = mmlab_mmap(t, *addr, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0, addr);
	return ret;
}

/* KV cache pages per task: the 8 caches together 3 % of the weights, as
 * llama.cpp's f16 KV cache at a 512-token context is for a 7B model (256
 * MiB against 13 GiB). */
static uint64_t kv_pages(uint64_t wlen)
{
	uint64_t n = wlen / PG * 3 / 100 / NCPU;

	return n < 4 ? 4 : n;
}

/* The tasks, their KV caches (written, as a prompt fills them) and compute
 * buffers. */
static int tasks_up(struct luf_proc *x, pthread_barrier_t *bar)
{
	struct mmlab_task *t0 = mmlab_main_task(x->p);
	uint64_t fa = 0;
	int ret = 0;

	for (int i = 0; i < NCPU && !ret; i++) {
		struct task_arg *a = &x->ta[i];

		memset(a, 0, sizeof(*a));
		a->t = t0;
		if (i)
			ret = mmlab_thread(x->p, (unsigned int)i, &a->t);
		a->w = x->w;
		a->wlen = x->wlen;
		a->kv_pages = kv_pages(x->wlen);
		a->rng = mmlab_splitmix64(1000 + i);
		a->bar = bar;
		if (!ret)
			ret = mmlab_mmap(t0, 0, a->kv_pages * PG, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &a->kv);
		if (!ret)
			ret = mmlab_mmap(t0, 0, SCRATCH, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &a->scratch);
		if (!ret)
			ret = mmlab_fill(a->t, a->kv, a->kv_pages * PG, a->rng | 1, &fa);
		if (!ret)
			ret = mmlab_fill(a->t, a->scratch, SCRATCH, a->rng | 1, &fa);
	}
	return ret;
}

/* The memory at its start: the weights on the slow node; the tasks' KV
 * caches and buffers on the fast node; the idle weights, read once by
 * every task, filling the rest of it (what does not fit goes to the slow
 * node), unreferenced since (reclaim's aging saw them idle long ago). */
static int memory_up(struct luf_proc *x, pthread_barrier_t *bar)
{
	struct mmlab_task *t0 = mmlab_main_task(x->p);
	uint64_t fa = 0;
	long moved;
	int ret;

	ret = readonly_file(t0, "weights", x->wlen, SEED_W, &x->w);
	if (!ret)	/* mapped, so that move_pages finds the pages */
		ret = mmlab_touch(t0, x->w, x->wlen, false, &fa);
	if (!ret) {
		moved = mmlab_move_pages(x->p, x->w, x->wlen / PG, 1);
		ret = moved < 0 ? (int)moved : 0;
	}
	if (!ret)
		ret = tasks_up(x, bar);
	if (!ret)
		ret = readonly_file(t0, "idle-weights", x->idle_len, SEED_IDLE, &x->idle);
	for (int i = 0; i < NCPU && !ret; i++)
		ret = mmlab_touch(x->ta[i].t, x->idle, x->idle_len, false, &fa);
	if (!ret)
		ret = mmlab_clear_refs(x->p, 1);
	/* the tasks' own data is in use, as always */
	for (int i = 0; i < NCPU && !ret; i++) {
		struct task_arg *a = &x->ta[i];

		ret = mmlab_touch(a->t, a->kv, a->kv_pages * PG, false, &fa);
		if (!ret)
			ret = mmlab_fill(a->t, a->scratch, SCRATCH, a->rng | 1, &fa);
	}
	return ret;
}

/* The measured part: PASSES passes and their settle phases; returns the
 * wall seconds of the passes alone. */
static double run_passes(struct luf_proc *x, pthread_barrier_t *bar, struct luf_run *o)
{
	pthread_t th[NCPU];
	double wall = 0, t;

	for (int i = 0; i < NCPU; i++)
		pthread_create(&th[i], NULL, task_main, &x->ta[i]);
	t = bench_now();
	for (int pass = 0; pass < PASSES; pass++) {
		pthread_barrier_wait(bar);	/* the pass is done */
		wall += bench_now() - t;
		o->settle_ms += settle();
		t = bench_now();
		pthread_barrier_wait(bar);	/* the next one may start */
	}
	for (int i = 0; i < NCPU; i++)
		pthread_join(th[i], NULL);
	return wall;
}

static int one_run(struct luf_run *o, uint64_t wlen, int luf)
{
	struct luf_proc x = { .wlen = wlen, .idle_len = wlen * 4 };
	double v0[NR_CTR], v1[NR_CTR], span = 0;
	uint64_t c0[NCPU];
	pthread_barrier_t bar;
	int ret;

	pthread_barrier_init(&bar, NULL, NCPU + 1);
	ret = machine_up(wlen, luf);
	if (!ret)
		ret = mmlab_spawn(&x.p);
	if (!ret)
		ret = memory_up(&x, &bar);
	if (!ret)
		ret = mmlab_knob_set("/proc/sys/kernel/numa_balancing", "2");
	if (ret)
		goto out;
	/* start from a quiet machine: the setup's reclaim is done */
	o->settle_ms = settle();
	for (int i = 0; i < NCPU; i++)
		c0[i] = mmlab_cpu_cycles((unsigned int)i);
	snapshot(v0);
	o->wall_seconds = run_passes(&x, &bar, o);
	snapshot(v1);
	mmlab_knob_set("/proc/sys/kernel/numa_balancing", "0");
	for (int i = 0; i < NCPU; i++) {
		double d = (double)(mmlab_cpu_cycles((unsigned int)i) - c0[i]);

		span = d > span ? d : span;
		o->errors += (double)x.ta[i].errors;
		if (x.ta[i].ret && !ret)
			ret = x.ta[i].ret < 0 ? x.ta[i].ret : -EFAULT;
	}
	for (int k = 0; k < NR_CTR; k++)
		o->v[k] = v1[k] - v0[k];
	o->sim_seconds = span / 3e9;	/* the makespan at the nominal 3 GHz */
out:
	if (x.p)
		mmlab_exit(x.p);
	mmlab_machine_destroy();
	pthread_barrier_destroy(&bar);
	return ret;
}

static void model_side(void *arg, void *out)
{
	const struct luf_args *a = arg;
	struct luf_out *o = out;

	for (int luf = 0; luf < 2; luf++) {
		struct luf_run *r = &o->run[luf];
		int ret = one_run(r, a->weights, luf);

		if (ret) {
			r->err = ret;
			snprintf(r->what, sizeof(r->what), "luf=%d: %s", luf, strerror(-ret));
		}
	}
}

/* Shootdown IPIs per migrated folio (NAN: nothing migrated). */
static double ipis_per_migration(const struct luf_run *x)
{
	return x->v[C_MIGRATE] > 0 ? x->v[C_IPIS] / x->v[C_MIGRATE] : NAN;
}

/* Folios migrated and reclaimed: the work the work ratio compares. */
static double work(const struct luf_run *x)
{
	return x->v[C_MIGRATE] + x->v[C_STEAL];
}

/* A record, with the recorded case's name and trace first when @tr. */
static struct bench_rec *rec_new(struct bench_ctx *ctx, const struct bench_trace *tr)
{
	struct bench_rec *r = bench_rec_new(ctx);

	if (tr) {
		bench_rec_str(r, "case", REC_CASE);
		bench_rec_str(r, "program", REC_PROGRAM);
		bench_rec_str(r, "trace", tr->path);
		bench_rec_str(r, "trace_fnv1a64", tr->hash);
	}
	return r;
}

static void emit_run(struct bench_ctx *ctx, int luf, const struct luf_run *x,
		     const struct bench_trace *tr)
{
	struct bench_rec *r = rec_new(ctx, tr);
	double rest = x->v[C_IPIS];

	bench_rec_int(r, "luf", luf);
	for (int k = 0; k < NR_CTR; k++)
		bench_rec_num(r, counters[k].key, x->v[k]);
	for (int k = C_CAUSE0; k < C_CAUSE0 + NR_CAUSES; k++)
		rest -= x->v[k];
	bench_rec_num(r, "ipis_unattributed", rest);
	bench_rec_num(r, "ipis_per_migration", ipis_per_migration(x));
	bench_rec_num(r, "sim_seconds", x->sim_seconds);
	bench_rec_num(r, "wall_seconds", x->wall_seconds);
	bench_rec_num_or_null(r, "settle_ms", x->settle_ms);
	bench_rec_num_or_null(r, "data_errors", x->errors);
	bench_emit(ctx, r);
}

static double change_pct(double off, double on)
{
	return off > 0 ? 100.0 * (on - off) / off : NAN;
}

static void emit_summary(struct bench_ctx *ctx, const struct luf_out *o,
			 const struct bench_trace *tr)
{
	const struct luf_run *off = &o->run[0], *on = &o->run[1];
	struct bench_rec *r = rec_new(ctx, tr);
	double red = -change_pct(off->v[C_IPIS], on->v[C_IPIS]);
	double wr = work(off) > 0 ? work(on) / work(off) : NAN;
	double po = ipis_per_migration(off), pn = ipis_per_migration(on);
	const char *verdict, *why;
	char buf[160];

	bench_rec_num(r, "ipi_reduction_pct", red);
	bench_rec_num(r, "work_ratio", wr);
	bench_rec_num(r, "ipi_reduction_per_migration_pct", -change_pct(po, pn));
	bench_rec_num(r, "ipis_per_migration_off", po);
	bench_rec_num(r, "ipis_per_migration_on", pn);
	bench_rec_num(r, "runtime_change_sim_pct", change_pct(off->sim_seconds, on->sim_seconds));
	bench_rec_num(r, "runtime_change_wall_pct",
		      change_pct(off->wall_seconds, on->wall_seconds));
	bench_rec_num(r, "goal_ipi_reduction_pct", GOAL_PCT);
	if (isnan(red) || isnan(wr)) {
		verdict = "n/a";
		why = "a run had no shootdowns or did no migration or reclaim";
	} else if (wr < WORK_MIN || wr > WORK_MAX) {
		verdict = "n/a";
		snprintf(buf, sizeof(buf), "different work: LUF on migrated and reclaimed "
			 "%.0f folios, off %.0f (work_ratio outside %.1f-%.1f)",
			 work(on), work(off), WORK_MIN, WORK_MAX);
		why = buf;
	} else if (on->v[C_STALE] > 0) {
		verdict = "miss";
		why = "stale-TLB reports with LUF on";
	} else {
		verdict = red >= GOAL_PCT ? "pass" : "miss";
		why = red >= GOAL_PCT ? "the reduction reaches the goal" :
		      "the reduction falls short of the goal";
	}
	bench_rec_str(r, "verdict", verdict);
	bench_rec_str(r, "verdict_why", why);
	bench_emit(ctx, r);
}

/* ---- the recorded case: a real program's accesses, migration driven ---- */

/* Migrate every page of @p to the other node (PROT_NONE reservations
 * skipped): one tick of the recorded case. */
static void migrate_tick(struct mmlab_proc *p, void *arg)
{
	int *node = arg, n = mmlab_vma_count(p);

	*node = !*node;
	for (int i = 0; i < n; i++) {
		uint64_t start, end;
		int prot, flags;

		if (!mmlab_vma_get(p, i, &start, &end, &prot, &flags) && prot != PROT_NONE)
			mmlab_move_pages(p, start, (end - start) / PG, *node);
	}
}

/* The counters of a replay, as the synthetic run reports them. */
static void replay_counts(const struct replay_result *res, struct luf_run *o)
{
	for (int k = 0; k < NR_CTR; k++) {
		o->v[k] = 0;
		for (int j = 0; j < 3 && counters[k].vm[j]; j++)
			for (unsigned int i = 0; i < replay_nr_counters; i++)
				if (!strcmp(replay_counters[i], counters[k].vm[j]))
					o->v[k] += (double)res->counters[i];
	}
	o->sim_seconds = res->sim_s;
	o->wall_seconds = res->host_s;
	o->settle_ms = NAN;		/* no settle phase: the ticks are synchronous */
	o->errors = NAN;		/* no data: the replay has no_data frames */
}

static void replay_side(void *arg, void *outp)
{
	static struct replay_result res;
	static const char *const sets[2][1] = {
		{ "/sys/kernel/mm/mmlab/luf/enabled=0" }, { "/sys/kernel/mm/mmlab/luf/enabled=1" } };
	const char *trace = arg;
	struct luf_out *o = outp;

	for (int luf = 0; luf < 2; luf++) {
		int node = 0;
		struct replay_opts ro = { .cpus = REC_CPUS, .nodes = 2, .mem = REC_NODE_BYTES,
					  .seed = 1, .stale_check = true, .quiet = true,
					  .sets = (const char **)sets[luf], .nsets = 1,
					  .tick = migrate_tick, .tick_arg = &node,
					  .tick_every = REC_TICK };

		if (replay_trace(trace, &ro, &res)) {
			o->run[luf].err = -EIO;
			snprintf(o->run[luf].what, sizeof(o->run[luf].what), "luf=%d replay: %.90s",
				 luf, res.stop);
			return;
		}
		replay_counts(&res, &o->run[luf]);
	}
}

/* REC_LINES generated lines (a log-like text zstd compresses 3-4x). */
static int write_input(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	for (unsigned int i = 0; i < REC_LINES; i++)
		fprintf(f, "%08x %s request %u took %u us\n", i * 2654435761u,
			i % 3 ? "GET" : "PUT", i, (i * 7919u) % 5000);
	return fclose(f) ? -1 : 0;
}

/*
 * The recorded case: `zstd -T2` over generated lines, recorded once (the
 * trace cached under the build directory), replayed on 2 CPUs and two
 * nodes with LUF off, then on; every REC_TICK accesses all of the
 * process's pages migrate to the other node (move_pages), so both runs
 * migrate the same pages at the same points of the program.  Returns 1
 * when a replay failed; a recorder that is not built is a note.
 */
static int recorded_case(struct bench_ctx *ctx)
{
	static struct bench_trace tr;
	char input[4096], out[4200], err[128];
	const char *argv[] = { REC_ZSTD, "-T2", "-B512K", "-q", "-f", input, "-o", out, NULL };
	struct luf_out o;

	memset(&o, 0, sizeof(o));
	if (bench_trace_input("luf-zstd", input, sizeof(input)) || write_input(input)) {
		snprintf(tr.err, sizeof(tr.err), "cannot write the input beside the mmlab binary");
	} else {
		snprintf(out, sizeof(out), "%s.zst", input);
		bench_progress(ctx, "luf: recorded %s", REC_PROGRAM);
		if (!bench_trace_get("luf-zstd", argv, input, &tr))
			unlink(out);
	}
	if (tr.err[0]) {
		bench_trace_note(ctx, REC_CASE, REC_PROGRAM, &tr);
		return 0;
	}
	if (bench_isolate(replay_side, tr.path, &o, sizeof(o), 600, err, sizeof(err))) {
		fprintf(stderr, "mmlab bench luf: recorded case: model %s\n", err);
		return 1;
	}
	for (int luf = 0; luf < 2; luf++) {
		if (o.run[luf].err) {
			fprintf(stderr, "mmlab bench luf: recorded case: %s\n", o.run[luf].what);
			return 1;
		}
	}
	for (int luf = 0; luf < 2; luf++)
		emit_run(ctx, luf, &o.run[luf], &tr);
	emit_summary(ctx, &o, &tr);
	return 0;
}

int bench_luf(struct bench_ctx *ctx)
{
	struct luf_args a = { .weights = ctx->opts.size / 64 };
	struct luf_out o;
	char err[128];
	int ret = 0;

	if (ctx->opts.host_only)
		return 0;
	if (a.weights < 4 * MIB)
		a.weights = 4 * MIB;
	a.weights &= ~(MIB - 1);
	memset(&o, 0, sizeof(o));
	bench_progress(ctx, "luf: %llu MiB of weights, 8 CPUs, LUF off then on",
		       (unsigned long long)(a.weights >> 20));
	if (bench_isolate(model_side, &a, &o, sizeof(o),
			  600 * (unsigned int)(a.weights / (16 * MIB) + 1), err, sizeof(err))) {
		fprintf(stderr, "mmlab bench luf: model %s\n", err);
		return 1;
	}
	for (int luf = 0; luf < 2; luf++) {
		if (o.run[luf].err) {
			fprintf(stderr, "mmlab bench luf: %s\n", o.run[luf].what);
			ret = 1;
		}
		emit_run(ctx, luf, &o.run[luf], NULL);
	}
	emit_summary(ctx, &o, NULL);
	return recorded_case(ctx) || ret;
}
