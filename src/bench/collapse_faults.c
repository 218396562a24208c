/*
 * collapse_faults.c - the fault-latency part of `mmlab bench collapse`
 * (the collapse locking question): a thread faults one new page at a time
 * in its own VMA while another thread of the same mm writes 32 MiB of
 * small pages and MADV_COLLAPSEs it range by range; the model under each
 * collapse locking, the host's kernel beside it.  What it measures is
 * described at the top of collapse.c.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "collapse.h"

/* ---- fault latency while another thread collapses ---- */

#define FAULT_RANGES	16	/* the collapser's region: 32 MiB */
#define FAULT_VMA	(64UL << 20)
#define FAULT_SECONDS	1.5

struct flat_out {
	int err;
	double med, p99, max, mean, slow, cmed, cp99, faults, collapses, per_s;
};

/* What both sides share: the collapser's phase and the sample buffers. */
struct flat_state {
	volatile int phase;	/* 1 while a collapse loop runs */
	volatile int stop;
	double *ns, *cyc;
	size_t n, cap;
	double collapses, phase_s;
	int err;
	/* model */
	struct mmlab_task *ft, *ct;
	uint64_t fbase, cbase;
	/* host */
	char *hf, *hc;
};

static void flat_record(struct flat_state *s, bool during, uint64_t ns, double cyc)
{
	if (!during || s->n >= s->cap)
		return;
	s->ns[s->n] = (double)ns;
	s->cyc[s->n++] = cyc;
}

static void *model_faulter(void *arg)
{
	struct flat_state *s = arg;
	uint64_t off = 0, fa;
	unsigned int cpu = mmlab_task_cpu(s->ft);

	while (!s->stop && !s->err) {
		int ph = s->phase;
		uint64_t c0 = mmlab_cpu_cycles(cpu), t0 = now_ns();
		int ret = mmlab_touch(s->ft, s->fbase + off, PG, true, &fa);
		uint64_t ns = now_ns() - t0;

		if (ret) {
			s->err = ret < 0 ? ret : -EFAULT;
			break;
		}
		flat_record(s, ph, ns, (double)(mmlab_cpu_cycles(cpu) - c0));
		off += PG;
		if (off == FAULT_VMA) {
			mmlab_madvise(s->ft, s->fbase, FAULT_VMA, MADV_DONTNEED);
			off = 0;
		}
	}
	return NULL;
}

static void model_collapser(struct flat_state *s, bool idle)
{
	double end = bench_now() + FAULT_SECONDS;
	uint64_t fa;

	while (bench_now() < end && !s->err) {
		int ret = 0;

		double t0;

		if (idle) {	/* the faulter alone: every fault counts */
			t0 = bench_now();
			s->phase = 1;
			usleep(10000);
			s->phase_s += bench_now() - t0;
			continue;
		}
		for (uint64_t i = 0; i < FAULT_RANGES * NPTE && !ret; i += 2)
			ret = mmlab_touch(s->ct, s->cbase + i * PG, PG, true, &fa);
		t0 = bench_now();
		s->phase = 1;
		for (int r = 0; r < FAULT_RANGES && !ret && bench_now() < end; r++) {
			ret = mmlab_madvise(s->ct, s->cbase + (uint64_t)r * PMD, PMD, MADV_COLLAPSE);
			if (!ret)
				s->collapses++;
		}
		s->phase = 0;
		s->phase_s += bench_now() - t0;
		if (!ret)
			ret = mmlab_madvise(s->ct, s->cbase, FAULT_RANGES * PMD, MADV_DONTNEED);
		if (ret)
			s->err = ret;
	}
	s->phase = 0;
}

static void flat_finish(struct flat_state *s, struct flat_out *o)
{
	o->faults = (double)s->n;
	o->collapses = s->collapses;
	o->per_s = s->phase_s > 0 ? (double)s->n / s->phase_s : NAN;
	o->med = quantile(s->ns, s->n, 0.5);
	o->p99 = quantile(s->ns, s->n, 0.99);
	o->max = s->n ? s->ns[s->n - 1] : NAN;	/* sorted */
	for (size_t i = 0; i < s->n; i++) {
		o->slow += s->ns[i] >= 50000;
		o->mean += s->ns[i] / (double)s->n;
	}
	o->cmed = quantile(s->cyc, s->n, 0.5);
	o->cp99 = quantile(s->cyc, s->n, 0.99);
}

/* Clear @o and @s, with room for @cap samples: false when out of memory. */
static bool flat_init(struct flat_state *s, struct flat_out *o, size_t cap)
{
	memset(o, 0, sizeof(*o));
	memset(s, 0, sizeof(*s));
	s->cap = cap;
	s->ns = calloc(cap, sizeof(double));
	s->cyc = calloc(cap, sizeof(double));
	return s->ns && s->cyc;
}

/* mode: 0 idle, 1 mmap_write, 2 pte_locks */
static void flat_model(void *argp, void *outp)
{
	int mode = *(const int *)argp;
	struct flat_out *o = outp;
	struct flat_state s;
	struct mmlab_proc *p = NULL;
	pthread_t th;
	uint64_t a = 0;
	int ret;

	ret = flat_init(&s, o, 1 << 21) ? machine(4, 512ULL << 20, &p) : -ENOMEM;
	if (!ret)
		ret = mmlab_knob_set("/sys/kernel/mm/mmlab/collapse_locking",
				     mode == 2 ? "pte_locks" : "mmap_write");
	if (!ret) {
		s.ct = mmlab_main_task(p);
		ret = mmlab_thread(p, 1, &s.ft);
	}
	if (!ret)
		ret = mmlab_mmap(s.ct, 0, FAULT_RANGES * PMD + PMD, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &a);
	s.cbase = (a + PMD - 1) & ~(PMD - 1);
	if (!ret)
		ret = mmlab_mmap(s.ct, 0, FAULT_VMA, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &s.fbase);
	if (!ret)
		ret = mmlab_madvise(s.ct, s.fbase, FAULT_VMA, MADV_NOHUGEPAGE);
	if (!ret) {
		pthread_create(&th, NULL, model_faulter, &s);
		model_collapser(&s, mode == 0);
		s.stop = 1;
		pthread_join(th, NULL);
		ret = s.err;
	}
	flat_finish(&s, o);
	o->err = ret;
	free(s.ns);
	free(s.cyc);
	if (p)
		mmlab_exit(p);
	mmlab_machine_destroy();
}

static void *host_faulter(void *arg)
{
	struct flat_state *s = arg;
	size_t off = 0;

	while (!s->stop) {
		int ph = s->phase;
		uint64_t t0 = now_ns();

		s->hf[off] = 1;
		flat_record(s, ph, now_ns() - t0, 0);
		off += PG;
		if (off == FAULT_VMA) {
			madvise(s->hf, FAULT_VMA, MADV_DONTNEED);
			off = 0;
		}
	}
	return NULL;
}

static int flat_host(bool idle, struct flat_out *o)
{
	struct flat_state s;
	char *cm = NULL;
	size_t cml = FAULT_RANGES * PMD + PMD;
	pthread_t th;
	double end;

	bool ok = flat_init(&s, o, 1 << 22);

	s.hc = host_region(FAULT_RANGES * PMD, &cm, &(size_t){ 0 });
	s.hf = mmap(NULL, FAULT_VMA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ok || !s.hc || s.hf == MAP_FAILED) {
		free(s.ns);
		free(s.cyc);
		return -ENOMEM;
	}
	madvise(s.hf, FAULT_VMA, MADV_NOHUGEPAGE);
	pthread_create(&th, NULL, host_faulter, &s);
	end = bench_now() + FAULT_SECONDS;
	while (bench_now() < end) {
		double t0;

		if (idle) {
			t0 = bench_now();
			s.phase = 1;
			usleep(10000);
			s.phase_s += bench_now() - t0;
			continue;
		}
		for (size_t i = 0; i < FAULT_RANGES * NPTE; i += 2)
			s.hc[i * PG] = 1;
		t0 = bench_now();
		s.phase = 1;
		for (int r = 0; r < FAULT_RANGES && bench_now() < end; r++)
			if (!madvise(s.hc + (size_t)r * PMD, PMD, MADV_COLLAPSE))
				s.collapses++;
		s.phase = 0;
		s.phase_s += bench_now() - t0;
		madvise(s.hc, FAULT_RANGES * PMD, MADV_DONTNEED);
	}
	s.phase = 0;
	s.stop = 1;
	pthread_join(th, NULL);
	flat_finish(&s, o);
	free(s.ns);
	free(s.cyc);
	munmap(cm, cml);
	munmap(s.hf, FAULT_VMA);
	return 0;
}

/* The fault-latency part: faults of the same mm while it collapses; of
 * --reps (at most 3) runs, the variants alternating, the one whose
 * faulter got most faults done (the host is shared: its load moves) */
int collapse_faults(struct bench_ctx *ctx, bool model, bool host)
{
	static const char *const lk[3] = { "idle", "mmap_write", "pte_locks" };
	struct flat_out mo[3], ho[2], x;
	bool mok[3] = { false, false, false }, hok[2] = { false, false };
	unsigned int reps = ctx->opts.reps ? ctx->opts.reps : 1;
	struct bench_rec *r;
	char err[128];
	int ret = 0;

	if (reps > 3)
		reps = 3;
	for (unsigned int rep = 0; rep < reps; rep++) {
		for (int i = 0; i < 2 && host; i++) {
			bench_progress(ctx, "collapse: host faults, %s", i ? "collapsing" : "idle");
			if (!flat_host(i == 0, &x) && (!hok[i] || x.per_s > ho[i].per_s)) {
				ho[i] = x;
				hok[i] = true;
			}
		}
		for (int mode = 0; mode < 3 && model; mode++) {
			memset(&x, 0, sizeof(x));
			bench_progress(ctx, "collapse: model faults, %s", lk[mode]);
			if (bench_isolate(flat_model, &mode, &x, sizeof(x), 60, err, sizeof(err)) ||
			    x.err) {
				fprintf(stderr, "mmlab bench collapse: faults %s: %s %d\n",
					lk[mode], err, x.err);
				ret = 1;
				continue;
			}
			if (!mok[mode] || x.per_s > mo[mode].per_s) {
				mo[mode] = x;
				mok[mode] = true;
			}
		}
	}
	for (int mode = 0; mode < 3; mode++) {
		/* the host's kernel: idle, or its own collapse (mmap_write
		 * and per-VMA locks for faults) */
		const struct flat_out *h = &ho[mode ? 1 : 0], *o = &mo[mode];
		bool hv = hok[mode ? 1 : 0];

		r = bench_rec_new(ctx);
		bench_rec_str(r, "part", "fault_latency");
		bench_rec_str(r, "locking", lk[mode]);
		if (mok[mode]) {
			bench_rec_num(r, "fault_ns_median", o->med);
			bench_rec_num(r, "fault_ns_p99", o->p99);
			bench_rec_num(r, "fault_ns_mean", o->mean);
			bench_rec_num(r, "fault_ns_max", o->max);
			bench_rec_num(r, "faults_over_50us", o->slow);
			bench_rec_rate(r, "faults_per_s", o->per_s);
			bench_rec_num(r, "sim_cycles_median", o->cmed);
			bench_rec_num(r, "sim_cycles_p99", o->cp99);
			bench_rec_num(r, "faults", o->faults);
			bench_rec_num(r, "collapses", o->collapses);
		} else {
			bench_rec_null(r, "fault_ns_median");
			bench_rec_null(r, "fault_ns_p99");
			bench_rec_null(r, "fault_ns_mean");
			bench_rec_null(r, "fault_ns_max");
			bench_rec_null(r, "faults_over_50us");
			bench_rec_null(r, "faults_per_s");
			bench_rec_null(r, "sim_cycles_median");
			bench_rec_null(r, "sim_cycles_p99");
			bench_rec_null(r, "faults");
			bench_rec_null(r, "collapses");
		}
		if (hv) {
			bench_rec_num(r, "host_ns_median", h->med);
			bench_rec_num(r, "host_ns_p99", h->p99);
			bench_rec_num(r, "host_ns_mean", h->mean);
			bench_rec_num(r, "host_ns_max", h->max);
			bench_rec_rate(r, "host_faults_per_s", h->per_s);
			bench_rec_num(r, "host_collapses", h->collapses);
			bench_rec_num(r, "p99_ratio", mok[mode] ? o->p99 / h->p99 : NAN);
		} else {
			bench_rec_null(r, "host_ns_median");
			bench_rec_null(r, "host_ns_p99");
			bench_rec_null(r, "host_ns_mean");
			bench_rec_null(r, "host_ns_max");
			bench_rec_null(r, "host_faults_per_s");
			bench_rec_null(r, "host_collapses");
			bench_rec_null(r, "p99_ratio");
		}
		bench_emit(ctx, r);
	}
	return ret;
}
