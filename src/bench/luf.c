/*
 * luf.c - `mmlab bench luf` (issue 7): LUF, lazy unmap flush (seed 1), on a
 * tiered-memory workload shaped like seed 1's measurement (llama.cpp on
 * DRAM + CXL with NUMA-balancing tiering and demotion).
 *
 * Machine: 8 CPUs; node 0 (fast) smaller than the working set, node 1
 * slow (node_slow, 250 ns); a swap area; demotion_enabled = 1,
 * numa_balancing = 2 (memory tiering).  Workload: "weights", a shared memfd
 * (--size / 16, 64 MiB by default) mapped PROT_READ by one process with 8
 * tasks, one per CPU, each reading all of it once per pass (a token) in
 * layers of 64 pages; per layer a task also reads its layer's slice of its
 * anonymous KV cache (attention) and rewrites its small compute buffer
 * (SCRATCH), and per token it appends to the KV cache: the anonymous data
 * is hot and written, as llama.cpp's, and mapped once, so no munmap in the
 * measured part.  PASSES passes, each followed by a settle
 * phase: the tasks wait (sleep-based, bounded by SETTLE_MAX_MS) until the
 * migration and reclaim counters stop moving, so kswapd's demotions of a
 * pass are done, and counted, in both runs before the next pass starts.
 * The same seed and the same number of passes with LUF off, then on.
 *
 * Promotion: upstream's default rate limit (PROMOTE_RATE_MBPS, as the seed
 * ran; kswapd reclaims to WMARK_PROMO).  The volumes are not equal: with
 * LUF off kswapd waits for every batch's shootdown, and simulated CPUs
 * answer IPIs in host time (8 threads on the host's cores), so the fast
 * node stays full and few promotions find room; with LUF on kswapd keeps
 * up and the run migrates 2-5x more.  On the kernel an IPI is answered in
 * microseconds and kswapd keeps up either way, so the LUF-off run's low
 * volume is the model's artifact: the verdict compares IPIs per migrated
 * folio (ipi_reduction_per_migration_pct); ipi_reduction_pct (the totals)
 * and migrations_on_off_pct are printed beside it.
 *
 * Sizes: the KV cache is 2 MiB in all (KV_PAGES per task), 3 % of the
 * weights, as llama.cpp's f16 KV cache at a 512-token context is for a 7B
 * model (256 MiB against 13 GiB); the compute buffer is small and hot.
 *
 * Records: per run {"luf":0|1, shootdown_ipis (nr_tlb_remote_flush_received:
 * IPIs the CPUs took), remote_flushes (shootdowns initiated), local_flushes,
 * sim_seconds (the cost model: sum of mmlab_cpu_cycles / 3e9 / 8 CPUs, the
 * simulated wall time of the parallel run), stale_tlb_reports,
 * deferred, promotions, demotions,
 * migrations (pgmigrate_success), ipis_per_migration, swapouts,
 * numa_hint_faults, pgsteal (kswapd + direct), settle_ms, and the IPIs
 * by cause (model counters): ipis_batched (arch_tlbbatch_flush: reclaim
 * and migration), ipis_batched_pending (flush_tlb_batched_pending),
 * ipis_zap (mmu_gather of munmap / zap / madvise), ipis_change_prot
 * (mprotect and the NUMA scan's PROT_NONE), ipis_other (per-PTE flushes:
 * ptep_clear_flush, unbatched try_to_unmap, THP, fork), alloc_flush_ipis
 * (LUF, a parked frame handed out), luf_mm_flush_ipis (LUF: munmap,
 * mprotect, writes; includes luf_write_flush_ipis, a writable PTE),
 * ipis_unattributed (shootdown_ipis minus all of those: 0 expected),
 * data_errors}; then {ipi_reduction_pct (the totals),
 * ipi_reduction_per_migration_pct, ipis_per_migration_off / _on,
 * runtime_change_pct, migrations_on_off_pct, goal_ipi_reduction_pct: 90,
 * verdict (per migration)}.
 * Model only.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#include <mmlab/mmlab.h>

#include "bench.h"

#define PG		MMLAB_PAGE_SIZE
#define MIB		(1ULL << 20)
#define NCPU		8
#define PASSES		8
#define KV_PAGES	64
#define SCRATCH		(64 * 1024)	/* compute buffer per task, reused per layer */
#define SETTLE_POLL_MS	10
#define SETTLE_QUIET	5		/* polls without a change */
#define SETTLE_MAX_MS	3000
#define SEED_W		0x11a3aULL
#define NR_CAUSES	7
#define PROMOTE_RATE_MBPS	"65536"	/* upstream default, both runs */

struct luf_run {
	double ipis, shootdowns, local, sim_seconds, stale, alloc_ipis, mm_ipis;
	double deferred, promotions, demotions, migrations, swapouts, hint_faults, errors;
	double steal, settle_ms, write_ipis;
	double cause[NR_CAUSES];
	int err;
	char what[120];
};

/* The IPI counters by cause; their sum should be shootdown_ipis. */
static const char *const cause_vm[] = {
	"mmlab_ipis_batched", "mmlab_ipis_batched_pending", "mmlab_ipis_zap",
	"mmlab_ipis_change_prot", "mmlab_ipis_other", "alloc_flush_ipis",
	"mmlab_luf_mm_flush_ipis",
};
static const char *const cause_key[] = {
	"ipis_batched", "ipis_batched_pending", "ipis_zap", "ipis_change_prot",
	"ipis_other", "alloc_flush_ipis", "luf_mm_flush_ipis",
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
	uint64_t w, wlen, kv, scratch, rng;
	unsigned long errors;
	int ret;
};

static uint64_t vm(const char *name)
{
	uint64_t v = 0;

	mmlab_vmstat_get(name, &v);
	return v;
}

static void *task_main(void *arg)
{
	struct task_arg *a = arg;
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
				a->ret = mmlab_touch(a->t, a->kv + (layer % KV_PAGES) * PG, PG,
						     false, &fa);
			if (!a->ret)
				a->ret = mmlab_fill(a->t, a->scratch, SCRATCH, a->rng | 1, &fa);
		}
		/* the token's keys and values appended to the KV cache */
		if (!a->ret)
			a->ret = mmlab_fill(a->t, a->kv + (pass % KV_PAGES) * PG, PG, a->rng | 1, &fa);
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
	return vm("pgmigrate_success") + vm("pgmigrate_fail") + vm("pgdemote_kswapd") +
	       vm("pgdemote_direct") + vm("pgpromote_success") + vm("pgsteal_kswapd") +
	       vm("pgsteal_direct") + vm("pswpout");
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

static int one_run(struct luf_run *o, uint64_t wlen, int luf)
{
	struct mmlab_config cfg;
	struct mmlab_proc *p = NULL;
	struct task_arg ta[NCPU];
	pthread_t th[NCPU];
	struct mmlab_task *t0;
	pthread_barrier_t bar;
	uint64_t cz[NR_CAUSES], stl0, wr0;
	uint64_t w = 0, fa = 0, c0[NCPU], ipi0, sd0, lo0, st0, al0, mm0, de0, pr0, dm0, mg0, so0, hf0;
	double cycles = 0;
	int fd, ret;

	mmlab_config_default(&cfg);
	cfg.nr_cpus = NCPU;
	cfg.nr_nodes = 2;
	cfg.node_bytes[0] = wlen * 3 / 4;		/* smaller than the working set */
	cfg.node_bytes[1] = wlen * 2;
	cfg.node_slow[1] = true;
	cfg.node_latency_ns[1] = 250;
	cfg.stale_check = 1;
	cfg.seed = 7;
	ret = mmlab_machine_create(&cfg);
	if (ret)
		return ret;
	ret = mmlab_swapon(wlen * 2);
	if (ret < 0)
		goto out;
	ret = mmlab_knob_set("/sys/kernel/mm/mmlab/luf/enabled", luf ? "1" : "0");
	if (!ret)
		ret = mmlab_knob_set("/sys/kernel/mm/numa/demotion_enabled", "1");
	if (!ret)
		ret = mmlab_knob_set("/sys/kernel/debug/sched/numa_balancing/scan_period_min_ms", "20");
	if (!ret)
		ret = mmlab_knob_set("/proc/sys/kernel/numa_balancing_promote_rate_limit_MBps",
				     PROMOTE_RATE_MBPS);
	if (!ret)
		ret = mmlab_spawn(&p);
	if (ret)
		goto out;
	t0 = mmlab_main_task(p);
	/* the weights, written once through a temporary mapping */
	fd = mmlab_memfd(p, "weights", wlen);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	ret = mmlab_mmap(t0, 0, wlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0, &w);
	if (!ret)
		ret = mmlab_fill(t0, w, wlen, SEED_W, &fa);
	if (!ret)
		ret = mmlab_munmap(t0, w, wlen);
	if (!ret)	/* the same address: the pattern depends on it */
		ret = mmlab_mmap(t0, w, wlen, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0, &w);
	for (int i = 0; i < NCPU && !ret; i++) {
		memset(&ta[i], 0, sizeof(ta[i]));
		ta[i].t = t0;
		if (i)
			ret = mmlab_thread(p, (unsigned int)i, &ta[i].t);
		ta[i].w = w;
		ta[i].wlen = wlen;
		ta[i].rng = mmlab_splitmix64(1000 + i);
		ta[i].bar = &bar;
		if (!ret)
			ret = mmlab_mmap(t0, 0, KV_PAGES * PG, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &ta[i].kv);
		if (!ret)
			ret = mmlab_mmap(t0, 0, SCRATCH, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &ta[i].scratch);
		/* the prompt filled the context: the KV cache is written once */
		if (!ret)
			ret = mmlab_fill(ta[i].t, ta[i].kv, KV_PAGES * PG, ta[i].rng | 1, &fa);
	}
	if (ret)
		goto out;
	ret = mmlab_knob_set("/proc/sys/kernel/numa_balancing", "2");
	if (ret)
		goto out;
	/* start from a quiet machine: the setup's reclaim is done */
	o->settle_ms = settle();
	for (int i = 0; i < NCPU; i++)
		c0[i] = mmlab_cpu_cycles((unsigned int)i);
	ipi0 = vm("nr_tlb_remote_flush_received");
	sd0 = vm("nr_tlb_remote_flush");
	lo0 = vm("nr_tlb_local_flush_all") + vm("nr_tlb_local_flush_one");
	st0 = vm("stale_tlb_reports");
	al0 = vm("alloc_flush_ipis");
	mm0 = vm("mmlab_luf_mm_flush_ipis");
	de0 = vm("mmlab_luf_deferred");
	pr0 = vm("pgpromote_success");
	dm0 = vm("pgdemote_kswapd") + vm("pgdemote_direct");
	mg0 = vm("pgmigrate_success");
	so0 = vm("pswpout");
	hf0 = vm("numa_hint_faults");
	stl0 = vm("pgsteal_kswapd") + vm("pgsteal_direct");
	for (int k = 0; k < NR_CAUSES; k++)
		cz[k] = vm(cause_vm[k]);
	wr0 = vm("mmlab_luf_write_flush_ipis");
	pthread_barrier_init(&bar, NULL, NCPU + 1);
	for (int i = 0; i < NCPU; i++)
		pthread_create(&th[i], NULL, task_main, &ta[i]);
	for (int pass = 0; pass < PASSES; pass++) {
		pthread_barrier_wait(&bar);	/* the pass is done */
		o->settle_ms += settle();
		pthread_barrier_wait(&bar);	/* the next one may start */
	}
	for (int i = 0; i < NCPU; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&bar);
	mmlab_knob_set("/proc/sys/kernel/numa_balancing", "0");
	for (int i = 0; i < NCPU; i++) {
		cycles += (double)(mmlab_cpu_cycles((unsigned int)i) - c0[i]);
		o->errors += (double)ta[i].errors;
		if (ta[i].ret && !ret)
			ret = ta[i].ret < 0 ? ta[i].ret : -EFAULT;
	}
	o->ipis = (double)(vm("nr_tlb_remote_flush_received") - ipi0);
	o->shootdowns = (double)(vm("nr_tlb_remote_flush") - sd0);
	o->local = (double)(vm("nr_tlb_local_flush_all") + vm("nr_tlb_local_flush_one") - lo0);
	o->stale = (double)(vm("stale_tlb_reports") - st0);
	o->alloc_ipis = (double)(vm("alloc_flush_ipis") - al0);
	o->mm_ipis = (double)(vm("mmlab_luf_mm_flush_ipis") - mm0);
	o->deferred = (double)(vm("mmlab_luf_deferred") - de0);
	o->promotions = (double)(vm("pgpromote_success") - pr0);
	o->demotions = (double)(vm("pgdemote_kswapd") + vm("pgdemote_direct") - dm0);
	o->migrations = (double)(vm("pgmigrate_success") - mg0);
	o->swapouts = (double)(vm("pswpout") - so0);
	o->hint_faults = (double)(vm("numa_hint_faults") - hf0);
	o->steal = (double)(vm("pgsteal_kswapd") + vm("pgsteal_direct") - stl0);
	for (int k = 0; k < NR_CAUSES; k++)
		o->cause[k] = (double)(vm(cause_vm[k]) - cz[k]);
	o->write_ipis = (double)(vm("mmlab_luf_write_flush_ipis") - wr0);
	/* the CPUs run in parallel: simulated wall time per CPU */
	o->sim_seconds = cycles / 3e9 / NCPU;
out:
	if (p)
		mmlab_exit(p);
	mmlab_machine_destroy();
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
	return x->migrations > 0 ? x->ipis / x->migrations : NAN;
}

int bench_luf(struct bench_ctx *ctx)
{
	struct luf_args a = { .weights = ctx->opts.size / 16 };
	struct luf_out o;
	struct bench_rec *r;
	char err[128];
	int ret = 0;

	if (ctx->opts.host_only)
		return 0;
	if (a.weights < 8 * MIB)
		a.weights = 8 * MIB;
	a.weights &= ~(MIB - 1);
	memset(&o, 0, sizeof(o));
	bench_progress(ctx, "luf: %llu MiB of weights, 8 CPUs, LUF off then on",
		       (unsigned long long)(a.weights >> 20));
	if (bench_isolate(model_side, &a, &o, sizeof(o),
			  600 * (unsigned int)(a.weights / (64 * MIB) + 1), err, sizeof(err))) {
		fprintf(stderr, "mmlab bench luf: model %s\n", err);
		return 1;
	}
	for (int luf = 0; luf < 2; luf++) {
		struct luf_run *x = &o.run[luf];

		if (x->err) {
			fprintf(stderr, "mmlab bench luf: %s\n", x->what);
			ret = 1;
		}
		r = bench_rec_new(ctx);
		bench_rec_int(r, "luf", luf);
		bench_rec_num(r, "shootdown_ipis", x->ipis);
		bench_rec_num(r, "remote_flushes", x->shootdowns);
		bench_rec_num(r, "local_flushes", x->local);
		bench_rec_num(r, "sim_seconds", x->sim_seconds);
		bench_rec_num(r, "stale_tlb_reports", x->stale);
		bench_rec_num(r, "deferred", x->deferred);
		bench_rec_num(r, "promotions", x->promotions);
		bench_rec_num(r, "demotions", x->demotions);
		bench_rec_num(r, "migrations", x->migrations);
		bench_rec_num(r, "ipis_per_migration", ipis_per_migration(x));
		bench_rec_num(r, "swapouts", x->swapouts);
		bench_rec_num(r, "numa_hint_faults", x->hint_faults);
		bench_rec_num(r, "pgsteal", x->steal);
		bench_rec_num(r, "settle_ms", x->settle_ms);
		{
			double rest = x->ipis;

			for (int k = 0; k < NR_CAUSES; k++) {
				bench_rec_num(r, cause_key[k], x->cause[k]);
				rest -= x->cause[k];
			}
			bench_rec_num(r, "luf_write_flush_ipis", x->write_ipis);
			bench_rec_num(r, "ipis_unattributed", rest);
		}
		bench_rec_num(r, "data_errors", x->errors);
		bench_emit(ctx, r);
	}
	r = bench_rec_new(ctx);
	{
		double red = o.run[0].ipis > 0 ?
			100.0 * (o.run[0].ipis - o.run[1].ipis) / o.run[0].ipis : NAN;
		double rt = o.run[0].sim_seconds > 0 ?
			100.0 * (o.run[1].sim_seconds - o.run[0].sim_seconds) / o.run[0].sim_seconds : NAN;

		double off = ipis_per_migration(&o.run[0]), on = ipis_per_migration(&o.run[1]);
		double per = off > 0 && !isnan(on) ? 100.0 * (off - on) / off : NAN;

		bench_rec_num(r, "ipi_reduction_pct", red);
		bench_rec_num(r, "ipi_reduction_per_migration_pct", per);
		bench_rec_num(r, "ipis_per_migration_off", off);
		bench_rec_num(r, "ipis_per_migration_on", on);
		bench_rec_num(r, "runtime_change_pct", rt);
		bench_rec_num(r, "migrations_on_off_pct", o.run[0].migrations > 0 ?
			      100.0 * o.run[1].migrations / o.run[0].migrations : NAN);
		bench_rec_num(r, "goal_ipi_reduction_pct", 90);
		/* judged per migrated folio: the runs migrate different volumes
		 * for a reason of the model's (see the top of this file) */
		bench_rec_str(r, "verdict", isnan(per) ? "n/a" :
			      (per >= 90 && o.run[1].stale == 0) ? "pass" : "miss");
	}
	bench_emit(ctx, r);
	return ret;
}
