/*
 * test_stress.c - 4 simulated CPUs, one host thread each, doing random
 * address-space work for MMLAB_STRESS_SECONDS (default 10; 3 in the TSan
 * build), with data verification throughout.
 *
 * Process P has tasks on CPUs 0, 1 and 2; process Q a task on CPU 3.  Each
 * thread owns a few slots (address ranges, fixed in its own arena or placed
 * by mmap) and, on them: mmap (private or shared anonymous), munmap (all or
 * the upper half), mprotect (read-only with a checked fault, or none and
 * back), madvise DONTNEED / FREE / WILLNEED, touch, fill and verify, and
 * reads of pagemap, status and smaps.  The thread on CPU 0 also forks P: the
 * child checks that thread's slots, writes its own copies, and exits; the
 * parent's data must be unchanged.  Every access goes through TLBs that the
 * other CPUs' operations shoot down.
 *
 * Each thread does at least 30 operations, past the deadline if need be
 * (under the deterministic scheduler the seconds are simulated, and a seed
 * whose operations are long ones would do few).
 *
 * Pass: every verify intact, every call answers as the kernel would, no
 * crash, zero stale-TLB reports.  MMLAB_STRESS_SEED replays a run's choices
 * (the interleaving differs).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "harness.h"
#include "stress.h"

#ifndef MMLAB_STRESS_DEFAULT_SECONDS
#define MMLAB_STRESS_DEFAULT_SECONDS 10
#endif

#define RW		(PROT_READ | PROT_WRITE)
#define NTHREADS	4
#define NSLOTS		8
#define MIN_OPS		30	/* per thread */
#define ARENA(i)	(0x200000000000ULL + (uint64_t)(i) * 64 * GiB)
#define SLOT_ADDR(i, j)	(ARENA(i) + (uint64_t)(j) * GiB + 4 * MiB - 8 * PG)

enum content { C_UNKNOWN, C_ZERO, C_FILLED, C_FREED };

struct slot {
	bool mapped, shared;
	bool own;	/* in this thread's arena: no other thread maps there */
	uint64_t addr, len;
	int prot;
	enum content c;
	uint64_t seed;
};

struct worker {
	int id;
	struct mmlab_proc *proc;
	struct mmlab_task *task;
	bool can_fork;
	uint64_t rng;
	struct slot slot[NSLOTS];
	unsigned long ops, forks, verifies;
	struct stress_failures fail;
};

static atomic_bool stop_all;
static double deadline;
static uint64_t seed_base;

static unsigned int rndn(struct worker *w, unsigned int n)
{
	return (unsigned int)(stress_rnd(&w->rng) % n);
}

static void failf(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stress_vfail(&w->fail, fmt, ap);
	va_end(ap);
	atomic_store(&stop_all, true);
}

#define CHECK(w, cond, ...) do { if (!(cond)) failf(w, __VA_ARGS__); } while (0)

static bool verify_zero(struct mmlab_task *t, uint64_t a, uint64_t len, uint64_t *bad)
{
	static _Thread_local uint64_t buf[PG / 8];
	uint64_t off;

	for (off = 0; off < len; off += PG) {
		if (mmlab_read(t, a + off, buf, PG, NULL))
			return *bad = a + off, false;
		for (unsigned int i = 0; i < PG / 8; i++)
			if (buf[i])
				return *bad = a + off + 8 * i, false;
	}
	return true;
}

/* After MADV_FREE each page holds either its old data or zeros. */
static bool verify_freed(struct mmlab_task *t, uint64_t a, uint64_t len, uint64_t seed,
			 uint64_t *bad)
{
	uint64_t off, mis, z;

	for (off = 0; off < len; off += PG) {
		if (mmlab_verify(t, a + off, PG, seed, &mis, NULL))
			return *bad = a + off, false;
		if (mis == UINT64_MAX)
			continue;
		if (!verify_zero(t, a + off, PG, &z))
			return *bad = mis, false;
	}
	return true;
}

/* Check a slot's content as @t sees it. */
static void check_slot(struct worker *w, struct mmlab_task *t, struct slot *s,
		       const char *who)
{
	uint64_t mis = 0, fa = 0;
	int ret;

	if (!s->mapped || !(s->prot & PROT_READ))
		return;
	w->verifies++;
	switch (s->c) {
	case C_FILLED:
		ret = mmlab_verify(t, s->addr, s->len, s->seed, &mis, &fa);
		CHECK(w, ret == 0 && mis == UINT64_MAX,
		      "%s: verify %#" PRIx64 "+%#" PRIx64 " seed %" PRIu64 ": ret %d mismatch %#" PRIx64
		      " fault %#" PRIx64, who, s->addr, s->len, s->seed, ret, mis, fa);
		break;
	case C_ZERO:
		CHECK(w, verify_zero(t, s->addr, s->len, &mis),
		      "%s: %#" PRIx64 "+%#" PRIx64 " not zero at %#" PRIx64, who, s->addr,
		      s->len, mis);
		break;
	case C_FREED:
		CHECK(w, verify_freed(t, s->addr, s->len, s->seed, &mis),
		      "%s: freed %#" PRIx64 " neither data nor zero at %#" PRIx64, who,
		      s->addr, mis);
		break;
	default:
		break;
	}
}

static void op_mmap(struct worker *w, struct slot *s, int j)
{
	uint64_t len = (1 + rndn(w, rndn(w, 8) ? 64 : 1024)) * PG, out = 0;
	bool fixed = rndn(w, 4) != 0;
	int flags = MAP_ANONYMOUS | (rndn(w, 5) ? MAP_PRIVATE : MAP_SHARED);
	int ret;

	if (rndn(w, 8) == 0)
		flags |= MAP_POPULATE;
	if (fixed)
		flags |= MAP_FIXED;
	ret = mmlab_mmap(w->task, fixed ? SLOT_ADDR(w->id, j) : 0, len, RW, flags, -1,
			 0, &out);
	CHECK(w, ret == 0, "mmap len %#" PRIx64 " flags %#x: %d", len, flags, ret);
	if (ret)
		return;
	CHECK(w, !fixed || out == SLOT_ADDR(w->id, j), "mmap fixed moved");
	s->mapped = true;
	s->shared = flags & MAP_SHARED;
	s->own = fixed;
	s->addr = out;
	s->len = len;
	s->prot = RW;
	s->c = C_ZERO;
}

static void op_munmap(struct worker *w, struct slot *s)
{
	uint64_t v, fa = 0;
	int ret;

	if (s->len > PG && rndn(w, 2)) {
		uint64_t half = (s->len / PG / 2) * PG;

		ret = mmlab_munmap(w->task, s->addr + half, s->len - half);
		CHECK(w, ret == 0, "munmap upper half: %d", ret);
		ret = mmlab_read(w->task, s->addr + half, &v, 8, &fa);
		/* A placed range may already be another thread's new mapping. */
		CHECK(w, !s->own || (ret == MMLAB_SIGSEGV && fa == s->addr + half),
		      "read after munmap %#" PRIx64 ": %d", s->addr + half, ret);
		s->len = half;
		return;
	}
	ret = mmlab_munmap(w->task, s->addr, s->len);
	CHECK(w, ret == 0, "munmap: %d", ret);
	ret = mmlab_read(w->task, s->addr + s->len - 8, &v, 8, &fa);
	CHECK(w, !s->own || ret == MMLAB_SIGSEGV, "read after munmap %#" PRIx64 ": %d",
	      s->addr + s->len - 8, ret);
	s->mapped = false;
}

static void op_mprotect(struct worker *w, struct slot *s)
{
	uint64_t fa = 0, v = 0;
	int ret;

	if (s->prot != RW) {
		ret = mmlab_mprotect(w->task, s->addr, s->len, RW);
		CHECK(w, ret == 0, "mprotect rw: %d", ret);
		s->prot = RW;
		return;
	}
	if (rndn(w, 3) == 0) {
		ret = mmlab_mprotect(w->task, s->addr, s->len, PROT_NONE);
		CHECK(w, ret == 0, "mprotect none: %d", ret);
		ret = mmlab_read(w->task, s->addr, &v, 8, &fa);
		CHECK(w, ret == MMLAB_SIGSEGV && fa == s->addr,
		      "read of PROT_NONE %#" PRIx64 ": %d", s->addr, ret);
		s->prot = PROT_NONE;
		return;
	}
	ret = mmlab_mprotect(w->task, s->addr, s->len, PROT_READ);
	CHECK(w, ret == 0, "mprotect ro: %d", ret);
	s->prot = PROT_READ;
	ret = mmlab_touch(w->task, s->addr, s->len, true, &fa);
	CHECK(w, ret == MMLAB_SIGSEGV && fa == s->addr,
	      "write to read-only %#" PRIx64 ": %d at %#" PRIx64, s->addr, ret, fa);
	check_slot(w, w->task, s, "read-only");
}

static void op_madvise(struct worker *w, struct slot *s)
{
	int ret;

	switch (rndn(w, 3)) {
	case 0:
		ret = mmlab_madvise(w->task, s->addr, s->len, MADV_DONTNEED);
		CHECK(w, ret == 0, "dontneed: %d", ret);
		if (!s->shared)
			s->c = C_ZERO;
		break;
	case 1:
		ret = mmlab_madvise(w->task, s->addr, s->len, MADV_FREE);
		if (s->shared) {
			CHECK(w, ret == -EINVAL, "free on shared: %d", ret);
			break;
		}
		CHECK(w, ret == 0, "free: %d", ret);
		if (s->c == C_FILLED)
			s->c = C_FREED;
		break;
	default:
		ret = mmlab_madvise(w->task, s->addr, s->len, MADV_WILLNEED);
		CHECK(w, ret == 0, "willneed: %d", ret);
		break;
	}
	check_slot(w, w->task, s, "after madvise");
}

static void op_fill(struct worker *w, struct slot *s)
{
	uint64_t fa = 0;
	int ret;

	s->seed = stress_rnd(&w->rng) | 1;
	ret = mmlab_fill(w->task, s->addr, s->len, s->seed, &fa);
	CHECK(w, ret == 0, "fill %#" PRIx64 ": %d at %#" PRIx64, s->addr, ret, fa);
	s->c = C_FILLED;
}

static void op_views(struct worker *w, struct slot *s)
{
	uint64_t e[16];
	struct mmlab_status st;
	struct mmlab_smaps sm;
	int ret;

	ret = mmlab_pagemap(w->proc, s->addr, 16, e);
	CHECK(w, ret == 0, "pagemap: %d", ret);
	ret = mmlab_status(w->proc, &st);
	CHECK(w, ret == 0, "status: %d", ret);
	ret = mmlab_smaps(w->proc, s->addr, &sm);
	CHECK(w, ret == 0 && sm.start <= s->addr && s->addr < sm.end,
	      "smaps %#" PRIx64 ": %d [%#" PRIx64 ", %#" PRIx64 ")", s->addr, ret,
	      sm.start, sm.end);
}

static void op_fork(struct worker *w)
{
	struct mmlab_proc *c = NULL;
	struct mmlab_task *ct;
	int ret, j;

	ret = mmlab_fork(w->proc, &c);
	CHECK(w, ret == 0, "fork: %d", ret);
	if (ret)
		return;
	w->forks++;
	ct = mmlab_main_task(c);
	for (j = 0; j < NSLOTS; j++)
		check_slot(w, ct, &w->slot[j], "child");
	/* The child writes its private copies. */
	for (j = 0; j < NSLOTS; j++) {
		struct slot *s = &w->slot[j];
		uint64_t mis = 0;

		if (!s->mapped || s->shared || s->prot != RW)
			continue;
		ret = mmlab_fill(ct, s->addr, s->len, s->seed ^ 0xc0ffee, NULL);
		CHECK(w, ret == 0, "child fill: %d", ret);
		ret = mmlab_verify(ct, s->addr, s->len, s->seed ^ 0xc0ffee, &mis, NULL);
		CHECK(w, ret == 0 && mis == UINT64_MAX, "child verify: %d at %#" PRIx64,
		      ret, mis);
		if (rndn(w, 2))
			break;
	}
	ret = mmlab_exit(c);
	CHECK(w, ret == 0, "child exit: %d", ret);
	for (j = 0; j < NSLOTS; j++)
		check_slot(w, w->task, &w->slot[j], "parent after fork");
}

static void one_op(struct worker *w)
{
	int j = (int)rndn(w, NSLOTS);
	struct slot *s = &w->slot[j];
	unsigned int r = rndn(w, 100);

	w->ops++;
	if (!s->mapped) {
		op_mmap(w, s, j);
		return;
	}
	if (r < 8) {
		op_munmap(w, s);
	} else if (r < 18) {
		op_mprotect(w, s);
	} else if (s->prot != RW) {
		check_slot(w, w->task, s, "verify");
		if (rndn(w, 2))
			op_mprotect(w, s);
	} else if (r < 28) {
		op_madvise(w, s);
	} else if (r < 33) {
		uint64_t fa = 0;
		int ret = mmlab_touch(w->task, s->addr, s->len, false, &fa);

		CHECK(w, ret == 0, "touch read %#" PRIx64 ": %d", s->addr, ret);
	} else if (r < 60) {
		op_fill(w, s);
	} else if (r < 90) {
		check_slot(w, w->task, s, "verify");
	} else if (r < 95) {
		op_views(w, s);
	} else if (w->can_fork && r < 98) {
		op_fork(w);
	} else {
		check_slot(w, w->task, s, "verify");
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	/* at least MIN_OPS each, however slow the machine or the schedule:
	 * a workload, not a throughput to meet */
	while (!atomic_load(&stop_all) && (now_s() < deadline || w->ops < MIN_OPS))
		one_op(w);
	/* A loaded machine (sanitizers, 2 cores) may not have drawn a fork yet. */
	if (w->can_fork && !w->forks)
		op_fork(w);
	return NULL;
}

static void t_stress(void **state)
{
	uint64_t secs = env_u64("MMLAB_STRESS_SECONDS", MMLAB_STRESS_DEFAULT_SECONDS);
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	struct mmlab_proc *p, *q;
	unsigned long ops = 0, forks = 0, verifies = 0, fails = 0;
	int i, j;

	seed_base = env_u64("MMLAB_STRESS_SEED", seed_default());
	print_message("stress: %" PRIu64 " s, MMLAB_STRESS_SEED=%" PRIu64 "\n", secs,
		      seed_base);
	p = spawn();
	q = spawn();
	memset(w, 0, sizeof(w));
	for (i = 0; i < NTHREADS; i++) {
		w[i].id = i;
		w[i].proc = i < 3 ? p : q;
		w[i].task = i == 0 ? mmlab_main_task(p) : task_on(w[i].proc, i);
		w[i].can_fork = i == 0;
		w[i].rng = mmlab_splitmix64(seed_base + i) | 1;
	}
	atomic_init(&stop_all, false);
	deadline = now_s() + (double)secs;
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(mmlab_thread_create(&th[i], worker_main, &w[i]), 0);
	for (i = 0; i < NTHREADS; i++)
		mmlab_thread_join(th[i]);

	/* Final check of everything still mapped, then tear down. */
	for (i = 0; i < NTHREADS; i++) {
		for (j = 0; j < NSLOTS; j++)
			check_slot(&w[i], w[i].task, &w[i].slot[j], "final");
		ops += w[i].ops;
		forks += w[i].forks;
		verifies += w[i].verifies;
		fails += w[i].fail.n;
		if (w[i].fail.n)
			print_message("cpu %d: %lu failure(s), first: %s\n", i,
				      w[i].fail.n, w[i].fail.first);
	}
	print_message("stress: %lu ops, %lu forks, %lu verifies, stale_tlb_reports %" PRIu64
		      ", remote flushes received %" PRIu64 "\n", ops, forks, verifies,
		      vmstat("stale_tlb_reports"), vmstat("nr_tlb_remote_flush_received"));
	assert_int_equal(fails, 0);
	assert_true(forks > 0);
	assert_true(vmstat("nr_tlb_remote_flush_received") > 0);
	assert_int_equal(mmlab_exit(q), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_stress, setup_machine, teardown_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
