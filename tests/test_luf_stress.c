/*
 * test_luf_stress.c - LUF (lazy unmap flush): a randomized stress with LUF on.
 *
 * Many short seeds (MMLAB_LUF_SEEDS, default 100), each on a fresh machine
 * (4 CPUs, a fast node and a slow node smaller than the data, swap,
 * demotion on), each MMLAB_LUF_SEED_MS long (default 100 ms, 30 under
 * TSan).  Four CPUs of one process, at random:
 *   - read a shared read-only file ("weights", a memfd mapped PROT_READ);
 *   - read another CPU's file window (a seqlock tells whether the owner
 *     changed it meanwhile; if not, the data or the SIGSEGV must match);
 *   - the owner of a window munmaps it and maps the other of its two files
 *     there (LUF's munmap problem), or mprotects it PROT_NONE and back;
 *   - write / verify their own anonymous pages, MADV_DONTNEED them;
 *   - MADV_PAGEOUT of weights or anonymous chunks, move_pages between the
 *     nodes, a temporary 2 MiB hog (memory pressure: kswapd, direct
 *     reclaim, demotion, parked frames released by the allocator);
 *   - CPU 0 forks: the child checks the weights and CPU 0's window, exits.
 * After each seed every byte is checked, and stale_tlb_reports must be 0.
 *
 * MMLAB_LUF_SEED_BASE replays a run's random choices (the model's timing
 * still varies).  No wait is unbounded: a worker still running
 * MMLAB_LUF_HANG_S after its seed's end aborts the test with the seed.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "harness.h"
#include "stress.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_DONTNEED
#define MADV_DONTNEED 4
#endif

#if defined(__SANITIZE_THREAD__)
#define LUF_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LUF_TSAN 1
#endif
#endif
#ifndef LUF_TSAN
#define LUF_TSAN 0
#endif
#if defined(__SANITIZE_ADDRESS__)
#define LUF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LUF_ASAN 1
#endif
#endif
#ifndef LUF_ASAN
#define LUF_ASAN 0
#endif

#define NCPU		4
#define RW		(PROT_READ | PROT_WRITE)
#define W_PAGES		1024		/* 4 MiB of weights */
#define WIN_PAGES	32		/* per-CPU file window */
#define ANON_PAGES	512		/* 2 MiB per CPU */
#define HOG		(2 * MiB)
#define SEED_W		0x77eeULL
#define SEED_F(i)	(0xf000ULL + (i))
#define SEED_G(i)	(0x6000ULL + (i))

enum win_state { WIN_F, WIN_G, WIN_NONE };

struct worker {
	int id;
	struct mmlab_task *t;
	uint64_t rng;
	uint64_t anon;			/* ANON_PAGES */
	uint64_t seed[ANON_PAGES];	/* 0: zero */
	/* the window: owner writes, others read under the seqlock */
	uint64_t win;
	int fd_f, fd_g;
	int file;			/* owner only: WIN_F or WIN_G mapped */
	atomic_uint ver;		/* odd while the owner changes it */
	_Atomic int state;		/* enum win_state */
	unsigned long ops, checks, remaps, mprotects, pageouts, moves, forks, hogs;
	struct stress_failures fail;
};

static struct {
	struct mmlab_proc *p;
	struct worker w[NCPU];
	uint64_t weights;
	int fd_w;
	atomic_int hot;			/* the window changed last: read it soon */
	atomic_bool stop;
	double end;
} S;

/* 0 when @addr's page holds @seed's pattern, else 1 (mismatch) or the
 * signal; seed 0: all zero. */
static int page_check(struct mmlab_task *t, uint64_t addr, uint64_t seed, uint64_t *at)
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
	*at = ret ? fa : bad;
	if (ret)
		return ret;
	return bad != UINT64_MAX;
}

static void check(struct worker *w, struct mmlab_task *t, uint64_t addr, uint64_t seed,
		  const char *what)
{
	uint64_t at;
	int ret = page_check(t, addr, seed, &at);

	w->checks++;
	if (ret)
		stress_fail(&w->fail, "%s: page %#" PRIx64 " seed %#" PRIx64 ": %s at %#" PRIx64, what,
			addr, seed, ret == 1 ? "mismatch" : "signal", at);
}

static uint64_t win_seed(int owner, int state)
{
	return state == WIN_F ? SEED_F(owner) : SEED_G(owner);
}

/* Another CPU's window, checked only if its owner left it alone meanwhile. */
static void read_window(struct worker *w, struct mmlab_task *t, int owner, uint64_t pg)
{
	struct worker *o = &S.w[owner];
	unsigned int v1 = atomic_load(&o->ver), v2;
	int st = atomic_load(&o->state), ret;
	uint64_t at;

	if (v1 & 1)
		return;
	ret = page_check(t, o->win + pg * PG, st == WIN_NONE ? 0 : win_seed(owner, st), &at);
	v2 = atomic_load(&o->ver);
	if (v1 != v2)
		return;
	w->checks++;
	if (st == WIN_NONE && ret != MMLAB_SIGSEGV)
		stress_fail(&w->fail, "window %d page %" PRIu64 " PROT_NONE: got %d, want SIGSEGV", owner,
			pg, ret);
	else if (st != WIN_NONE && ret)
		stress_fail(&w->fail, "window %d (%s) page %" PRIu64 ": %s at %#" PRIx64, owner,
			st == WIN_F ? "F" : "G", pg, ret == 1 ? "mismatch" : "signal", at);
}

static void map_file_at(struct worker *w, uint64_t addr, uint64_t len, int prot, int fd)
{
	uint64_t out = 0;
	int ret = mmlab_mmap(w->t, addr, len, prot, MAP_SHARED | MAP_FIXED, fd, 0, &out);

	if (ret || out != addr)
		stress_fail(&w->fail, "mmap fd %d at %#" PRIx64 ": %d", fd, addr, ret);
}

/* The owner: munmap the window, map the other file there (the stale read
 * Dave Hansen described against LUF), or
 * mprotect it PROT_NONE / back to PROT_READ. */
static void change_window(struct worker *w, bool remap)
{
	int st = atomic_load(&w->state), next;
	int ret;

	atomic_fetch_add(&w->ver, 1);
	if (remap) {
		/* the other file, readable (a PROT_NONE window ends too) */
		w->file = w->file == WIN_F ? WIN_G : WIN_F;
		next = w->file;
		ret = mmlab_munmap(w->t, w->win, WIN_PAGES * PG);
		if (ret)
			stress_fail(&w->fail, "munmap window: %d", ret);
		map_file_at(w, w->win, WIN_PAGES * PG, PROT_READ, w->file == WIN_F ? w->fd_f : w->fd_g);
		w->remaps++;
	} else {
		next = st == WIN_NONE ? w->file : WIN_NONE;
		ret = mmlab_mprotect(w->t, w->win, WIN_PAGES * PG,
				     next == WIN_NONE ? PROT_NONE : PROT_READ);
		if (ret)
			stress_fail(&w->fail, "mprotect window: %d", ret);
		w->mprotects++;
	}
	atomic_store(&w->state, next);
	atomic_fetch_add(&w->ver, 1);
	atomic_store(&S.hot, w->id);
}

static void fork_check(struct worker *w)
{
	struct mmlab_proc *c = NULL;
	struct mmlab_task *ct;
	int ret = mmlab_fork(S.p, &c), st = atomic_load(&w->state);

	if (ret) {
		if (ret != -ENOMEM)
			stress_fail(&w->fail, "fork: %d", ret);
		return;
	}
	ct = mmlab_main_task(c);
	for (int k = 0; k < 8; k++)
		check(w, ct, S.weights + (stress_rnd(&w->rng) % W_PAGES) * PG, SEED_W, "child weights");
	/* the window is CPU 0's: unchanged since the fork */
	if (st != WIN_NONE)
		check(w, ct, w->win + (stress_rnd(&w->rng) % WIN_PAGES) * PG, win_seed(w->id, st), "child window");
	for (int k = 0; k < 4; k++) {
		uint64_t i = stress_rnd(&w->rng) % ANON_PAGES;

		check(w, ct, w->anon + i * PG, w->seed[i], "child anon");
	}
	ret = mmlab_exit(c);
	if (ret)
		stress_fail(&w->fail, "child exit: %d", ret);
	w->forks++;
}

static void hog(struct worker *w)
{
	uint64_t a = 0, fa = 0;
	int ret = mmlab_mmap(w->t, 0, HOG, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &a);

	if (ret)
		return;
	ret = mmlab_fill(w->t, a, HOG, stress_rnd(&w->rng) | 1, &fa);
	if (ret && ret != MMLAB_SIGBUS)	/* out of memory and swap: SIGBUS is fair */
		stress_fail(&w->fail, "hog fill: %d at %#" PRIx64, ret, fa);
	mmlab_munmap(w->t, a, HOG);
	w->hogs++;
}

/*
 * LUF's munmap sequence, without the other operations (each of which flushes
 * the lazily unmapped entries as a side effect: any zap, mprotect or write
 * fault of the process): reads of the windows, lazy unmaps of a window,
 * then its owner's munmap + mmap or mprotect.
 */
static void focused_op(struct worker *w)
{
	uint64_t r = stress_rnd(&w->rng), x = r >> 10;
	unsigned int k = r % 1000;
	int ret;

	if (k < 550) {
		int owner = (x & 1) ? atomic_load(&S.hot) : (int)((x >> 1) % NCPU);

		read_window(w, w->t, owner, (x >> 8) % WIN_PAGES);
	} else if (k < 650) {
		check(w, w->t, S.weights + (x % W_PAGES) * PG, SEED_W, "weights");
	} else if (k < 800) {
		/* young bits cleared without a flush (x86's clear_refs), so
		 * that MADV_PAGEOUT's own pass flushes nothing */
		ret = mmlab_clear_refs(S.p, 1);
		if (ret)
			stress_fail(&w->fail, "clear_refs: %d", ret);
		ret = mmlab_madvise(w->t, w->win, WIN_PAGES * PG, MADV_PAGEOUT);
		if (ret)
			stress_fail(&w->fail, "pageout window: %d", ret);
		w->pageouts++;
	} else if (k < 900) {
		change_window(w, true);
	} else {
		change_window(w, false);
	}
	w->ops++;
}

static void one_op(struct worker *w)
{
	uint64_t r = stress_rnd(&w->rng), fa = 0;
	unsigned int k = r % 1000;
	uint64_t x = r >> 10;
	int ret;

	if (k < 250) {
		check(w, w->t, S.weights + (x % W_PAGES) * PG, SEED_W, "weights");
	} else if (k < 450) {
		/* half of the time the window that changed last: a stale entry
		 * left by its munmap or mprotect is met before other flushes */
		int owner = (x & 1) ? atomic_load(&S.hot) : (int)((x >> 1) % NCPU);

		read_window(w, w->t, owner, (x >> 8) % WIN_PAGES);
	} else if (k < 520) {
		/* lazily unmap a window (any CPU's): its readers keep entries */
		int owner = (int)(x % NCPU);

		if (x & 2)
			mmlab_clear_refs(S.p, 1);
		ret = mmlab_madvise(w->t, S.w[owner].win, WIN_PAGES * PG, MADV_PAGEOUT);
		/* -ENOMEM: the owner is between munmap and mmap */
		if (ret && ret != -ENOMEM)
			stress_fail(&w->fail, "pageout window: %d", ret);
		w->pageouts++;
	} else if (k < 600) {
		uint64_t i = x % ANON_PAGES, seed = stress_rnd(&w->rng) | 1;

		ret = mmlab_fill(w->t, w->anon + i * PG, PG, seed, &fa);
		if (ret)
			stress_fail(&w->fail, "anon fill: %d at %#" PRIx64, ret, fa);
		else
			w->seed[i] = seed;
	} else if (k < 750) {
		uint64_t i = x % ANON_PAGES;

		check(w, w->t, w->anon + i * PG, w->seed[i], "anon");
	} else if (k < 800) {
		uint64_t c = (x % (W_PAGES / 64)) * 64;

		ret = mmlab_madvise(w->t, S.weights + c * PG, 64 * PG, MADV_PAGEOUT);
		if (ret)
			stress_fail(&w->fail, "pageout weights: %d", ret);
		w->pageouts++;
	} else if (k < 830) {
		uint64_t c = (x % (ANON_PAGES / 64)) * 64;
		bool dontneed = (x >> 20) & 1;

		ret = mmlab_madvise(w->t, w->anon + c * PG, 64 * PG,
				    dontneed ? MADV_DONTNEED : MADV_PAGEOUT);
		if (ret)
			stress_fail(&w->fail, "madvise anon: %d", ret);
		else if (dontneed)
			memset(&w->seed[c], 0, 64 * sizeof(w->seed[0]));
		w->pageouts++;
	} else if (k < 860) {
		change_window(w, true);
	} else if (k < 890) {
		change_window(w, false);
	} else if (k < 930) {
		bool anon = x & 1;
		uint64_t a = anon ? w->anon + ((x >> 1) % (ANON_PAGES / 32)) * 32 * PG :
				    S.weights + ((x >> 1) % (W_PAGES / 32)) * 32 * PG;
		long m = mmlab_move_pages(S.p, a, 32, (int)((x >> 20) & 1));

		if (m < 0 && m != -ENOMEM)
			stress_fail(&w->fail, "move_pages: %ld", m);
		w->moves++;
	} else if (k < 935) {
		hog(w);
	} else if (k < 950 && w->id == 0) {
		fork_check(w);
	} else {
		/* a read fault elsewhere in the weights, many pages at once */
		ret = mmlab_touch(w->t, S.weights + (x % (W_PAGES - 16)) * PG, 16 * PG, false, &fa);
		if (ret)
			stress_fail(&w->fail, "touch weights: %d at %#" PRIx64, ret, fa);
	}
	w->ops++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	double t;

	/* 20 ms of everything, then 20 ms of LUF's munmap sequence, and so on */
	while (!atomic_load(&S.stop) && (t = now_s()) < S.end && !w->fail.n) {
		if ((long)((S.end - t) / 0.02) & 1)
			focused_op(w);
		else
			one_op(w);
	}
	return NULL;
}

/* A memfd of @pages holding @seed's pattern as mapped at @addr. */
static void file_at(struct mmlab_task *t, int fd, uint64_t addr, uint64_t pages, uint64_t seed)
{
	uint64_t out = 0;

	assert_int_equal(mmlab_mmap(t, addr, pages * PG, RW, MAP_SHARED | MAP_FIXED, fd, 0, &out), 0);
	fill_ok(t, addr, pages * PG, seed);
}

static void machine(void)
{
	struct mmlab_config cfg;

	mmlab_config_default(&cfg);
	cfg.nr_cpus = NCPU;
	cfg.nr_nodes = 2;
	cfg.node_bytes[0] = 12 * MiB;
	cfg.node_bytes[1] = 8 * MiB;
	cfg.node_slow[1] = true;
	cfg.node_latency_ns[1] = 250;
	machine_up_cfg(&cfg);
	assert_true(mmlab_swapon(64 * MiB) >= 0);
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/numa/demotion_enabled", "1"), 0);
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/luf/enabled", "1"), 0);
}

struct totals {
	unsigned long ops, checks, remaps, mprotects, pageouts, moves, forks, hogs;
	uint64_t deferred, parked, alloc_ipis, mm_ipis, received;
};

/*
 * A worker ends within one operation of S.end; one that has not ended
 * MMLAB_LUF_HANG_S (default 60 s, 300 under sanitizers) later is stuck in
 * the model: say which seed and CPU, and abort (a wedged machine cannot be
 * torn down), instead of hanging the test run.
 */
static void join_or_die(pthread_t th, uint64_t seed, int cpu)
{
	static const uint64_t dflt = LUF_TSAN || LUF_ASAN ? 300 : 60;
	double limit = S.end + (double)env_u64("MMLAB_LUF_HANG_S", dflt);
	struct timespec ts;

	if (mmlab_deterministic()) {	/* a hang is the scheduler's to report */
		mmlab_thread_join(th);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(limit - now_s()) + 1;
	if (pthread_timedjoin_np(th, NULL, &ts) == 0)
		return;
	atomic_store(&S.stop, true);
	fprintf(stderr, "luf stress: seed %" PRIu64 " (MMLAB_LUF_SEED_BASE=%" PRIu64
		" MMLAB_LUF_SEEDS=1): cpu %d still running %.0f s after the seed's end "
		"(ops %lu, remaps %lu, pageouts %lu, moves %lu, hogs %lu): hang, aborting\n",
		seed, seed, cpu, now_s() - S.end, S.w[cpu].ops, S.w[cpu].remaps,
		S.w[cpu].pageouts, S.w[cpu].moves, S.w[cpu].hogs);
	abort();
}

/*
 * The whole seed (setup, workers, the final checks, exit) has a deadline
 * too: a watchdog thread aborts with the seed when a seed runs past it (a
 * fault that keeps retrying in the final checks hangs the main thread).
 */
static struct {
	_Atomic double deadline;	/* 0: no seed running */
	_Atomic uint64_t seed;
	_Atomic int phase;		/* 0 setup, 1 workers, 2 final checks, 3 exit */
} wd;

static void *watchdog_main(void *arg)
{
	static const char *const phase[] = { "setup", "workers", "final checks", "exit" };

	(void)arg;
	for (;;) {
		double d = atomic_load(&wd.deadline);

		if (d && now_s() > d) {
			uint64_t seed = atomic_load(&wd.seed);

			fprintf(stderr, "luf stress: seed %" PRIu64 " (MMLAB_LUF_SEED_BASE=%" PRIu64
				" MMLAB_LUF_SEEDS=1) past its deadline in %s: hang, aborting\n",
				seed, seed, phase[atomic_load(&wd.phase) & 3]);
			abort();
		}
		usleep(200 * 1000);
	}
	return NULL;
}

/* One seed: returns the number of failures (printed). */
static unsigned long run_seed(uint64_t seed, double secs, struct totals *tot)
{
	struct mmlab_task *t0;
	pthread_t th[NCPU];
	unsigned long fails = 0;
	uint64_t stale;

	atomic_store(&wd.seed, seed);
	atomic_store(&wd.phase, 0);
	atomic_store(&wd.deadline, now_s() + secs +
		     2.0 * (double)env_u64("MMLAB_LUF_HANG_S", LUF_TSAN || LUF_ASAN ? 300 : 60));
	machine();
	memset(&S, 0, sizeof(S));
	S.p = spawn();
	t0 = mmlab_main_task(S.p);
	/* the weights: filled where they will be mapped, then read-only */
	S.fd_w = mmlab_memfd(S.p, "weights", W_PAGES * PG);
	assert_true(S.fd_w >= 0);
	S.weights = map_anon(S.p, 0, W_PAGES * PG, PROT_NONE, 0);
	file_at(t0, S.fd_w, S.weights, W_PAGES, SEED_W);
	assert_int_equal(mmlab_munmap(t0, S.weights, W_PAGES * PG), 0);
	{
		uint64_t out = 0;

		assert_int_equal(mmlab_mmap(t0, S.weights, W_PAGES * PG, PROT_READ,
					    MAP_SHARED | MAP_FIXED, S.fd_w, 0, &out), 0);
	}
	for (int i = 0; i < NCPU; i++) {
		struct worker *w = &S.w[i];
		uint64_t out = 0;

		w->id = i;
		w->t = i ? task_on(S.p, (unsigned int)i) : t0;
		w->rng = mmlab_splitmix64(seed * 131 + (uint64_t)i) | 1;
		w->anon = map_anon(S.p, 0, ANON_PAGES * PG, RW, 0);
		assert_int_equal(mmlab_madvise(t0, w->anon, ANON_PAGES * PG, MADV_NOHUGEPAGE), 0);
		w->fd_f = mmlab_memfd(S.p, "f", WIN_PAGES * PG);
		w->fd_g = mmlab_memfd(S.p, "g", WIN_PAGES * PG);
		assert_true(w->fd_f >= 0 && w->fd_g >= 0);
		w->win = map_anon(S.p, 0, WIN_PAGES * PG, PROT_NONE, 0);
		file_at(t0, w->fd_g, w->win, WIN_PAGES, SEED_G(i));
		file_at(t0, w->fd_f, w->win, WIN_PAGES, SEED_F(i));
		assert_int_equal(mmlab_mmap(t0, w->win, WIN_PAGES * PG, PROT_READ,
					    MAP_SHARED | MAP_FIXED, w->fd_f, 0, &out), 0);
		w->file = WIN_F;
		atomic_store(&w->state, WIN_F);
		for (uint64_t k = 0; k < ANON_PAGES; k += 2) {
			w->seed[k] = stress_rnd(&w->rng) | 1;
			fill_ok(t0, w->anon + k * PG, PG, w->seed[k]);
		}
	}
	S.end = now_s() + secs;
	atomic_store(&wd.phase, 1);
	for (int i = 0; i < NCPU; i++)
		assert_int_equal(mmlab_thread_create(&th[i], worker_main, &S.w[i]), 0);
	for (int i = 0; i < NCPU; i++)
		join_or_die(th[i], seed, i);

	/* everything, by CPU 0 */
	atomic_store(&wd.phase, 2);
	for (int i = 0; i < NCPU; i++) {
		struct worker *w = &S.w[i];

		for (uint64_t k = 0; k < W_PAGES; k += 1)
			check(w, t0, S.weights + k * PG, SEED_W, "final weights");
		for (uint64_t k = 0; k < ANON_PAGES; k++)
			check(w, t0, w->anon + k * PG, w->seed[k], "final anon");
		if (atomic_load(&w->state) == WIN_NONE)
			change_window(w, false);
		for (uint64_t k = 0; k < WIN_PAGES; k++)
			check(w, t0, w->win + k * PG, win_seed(i, atomic_load(&w->state)),
			      "final window");
	}
	stale = vmstat("stale_tlb_reports");
	for (int i = 0; i < NCPU; i++) {
		struct worker *w = &S.w[i];

		fails += w->fail.n;
		if (w->fail.n)
			print_message("seed %" PRIu64 " cpu %d: %lu failure(s), first: %s\n", seed,
				      i, w->fail.n, w->fail.first);
		tot->ops += w->ops;
		tot->checks += w->checks;
		tot->remaps += w->remaps;
		tot->mprotects += w->mprotects;
		tot->pageouts += w->pageouts;
		tot->moves += w->moves;
		tot->forks += w->forks;
		tot->hogs += w->hogs;
	}
	tot->deferred += vmstat("mmlab_luf_deferred");
	tot->parked += vmstat("mmlab_luf_parked");
	tot->alloc_ipis += vmstat("mmlab_luf_alloc_flush_ipis");
	tot->mm_ipis += vmstat("mmlab_luf_mm_flush_ipis");
	tot->received += vmstat("nr_tlb_remote_flush_received");
	if (stale) {
		print_message("seed %" PRIu64 ": stale_tlb_reports %" PRIu64 "\n", seed, stale);
		fails++;
	}
	atomic_store(&wd.phase, 3);
	assert_int_equal(mmlab_exit(S.p), 0);
	mmlab_machine_destroy();
	atomic_store(&wd.deadline, 0);
	return fails;
}

static void t_luf_stress(void **state)
{
	uint64_t nseeds = env_u64("MMLAB_LUF_SEEDS", 100);
	uint64_t ms = env_u64("MMLAB_LUF_SEED_MS", LUF_TSAN ? 30 : 100);
	uint64_t base = env_u64("MMLAB_LUF_SEED_BASE", seed_default());
	struct totals tot;
	unsigned long fails = 0, bad_seeds = 0;
	double t0 = now_s();

	(void)state;
	memset(&tot, 0, sizeof(tot));
	{
		pthread_t w;

		assert_int_equal(pthread_create(&w, NULL, watchdog_main, NULL), 0);
		pthread_detach(w);
	}
	print_message("luf stress: %" PRIu64 " seeds x %" PRIu64 " ms, MMLAB_LUF_SEED_BASE=%"
		      PRIu64 "\n", nseeds, ms, base);
	for (uint64_t s = 0; s < nseeds; s++) {
		unsigned long f = run_seed(base + s, ms / 1000.0, &tot);

		fails += f;
		bad_seeds += f != 0;
		if (bad_seeds >= 5)
			break;
	}
	print_message("luf stress: %.1f s, %lu ops, %lu checks, %lu remaps, %lu mprotects, "
		      "%lu pageouts, %lu move_pages, %lu forks, %lu hogs; deferred %" PRIu64
		      ", parked %" PRIu64 ", alloc_flush_ipis %" PRIu64 ", mm flush IPIs %"
		      PRIu64 ", IPIs received %" PRIu64 "; %lu failing seed(s)\n",
		      now_s() - t0, tot.ops, tot.checks, tot.remaps, tot.mprotects,
		      tot.pageouts, tot.moves, tot.forks, tot.hogs, tot.deferred, tot.parked,
		      tot.alloc_ipis, tot.mm_ipis, tot.received, bad_seeds);
	assert_int_equal(fails, 0);
	assert_true(tot.deferred > 0);
	assert_true(tot.remaps > 0 && tot.mprotects > 0 && tot.forks > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_luf_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
