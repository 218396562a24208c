/*
 * thp_stress_fork.h - the forker of test_thp_stress.c and the checks of its
 * child: snapshots of the workers' per-page state (generation and seed)
 * around the fork, and the child's copy compared with them page by page
 * and word by word.  Included once, by test_thp_stress.c after its shared
 * state (S, struct worker, the patterns): a part of that file, not a
 * header of its own.
 */
#ifndef MMLAB_TEST_THP_STRESS_FORK_H
#define MMLAB_TEST_THP_STRESS_FORK_H


/* A consistent (gen, seed) of a page, or false while an operation runs. */
static bool snap(struct worker *w, uint64_t k, uint64_t *g, uint64_t *s)
{
	uint64_t g1 = atomic_load(&w->gen[k]), v = atomic_load(&w->seed[k]);
	uint64_t g2 = atomic_load(&w->gen[k]);

	*g = g1;
	*s = v;
	return g1 == g2 && !(g1 & 1);
}

static void snapshot_before(void)
{
	for (int w = 0; w < NW; w++)
		for (uint64_t k = 0; k < WPAGES; k++)
			if (!snap(&S.w[w], k, &S.ga[w][k], &S.sa[w][k]))
				S.ga[w][k] = UINT64_MAX;
}

static void snapshot_after(void)
{
	for (int w = 0; w < NW; w++)
		for (uint64_t k = 0; k < WPAGES; k++) {
			struct cpage *c = &S.cp[w][k];
			uint64_t g, s;
			bool ok = snap(&S.w[w], k, &g, &s);

			c->st = C_UNKNOWN;
			memset(c->hist, 0, sizeof(c->hist));
			if (!ok || S.ga[w][k] == UINT64_MAX)
				continue;
			if (g == S.ga[w][k]) {
				c->st = C_EXACT;
				c->a = S.sa[w][k];
			} else if (g == S.ga[w][k] + 2) {
				c->st = C_EITHER;
				c->a = S.sa[w][k];
				c->b = s;
			}
		}
}

/* The child's new content of a page: the old one joins its history. */
static void child_set(struct cpage *c, uint64_t seed)
{
	if (c->a) {
		memmove(&c->hist[1], &c->hist[0], 2 * sizeof(c->hist[0]));
		c->hist[0] = c->a;
	}
	c->a = seed;
}

static bool pattern_is(uint64_t v, uint64_t seed, uint64_t a)
{
	return seed && v == pat(seed, a);
}

/* Whose data is @v, a page's first word: any page of any worker, under its
 * current or earlier seeds in the parent, or what this child wrote there.
 * A wrong frame behind a PTE shows as another page's data. */
static void whose_word(uint64_t v)
{
	int found = 0;

	for (int w = 0; w < NW; w++)
		for (uint64_t k = 0; k < WPAGES; k++) {
			struct worker *wk = &S.w[w];
			struct cpage *c = &S.cp[w][k];
			uint64_t a = WBASE(w) + k * PG;
			const char *who = NULL;

			if (pattern_is(v, atomic_load(&wk->seed[k]), a))
				who = "the parent's current seed";
			for (int h = 0; h < 3 && !who; h++)
				if (pattern_is(v, wk->prev[k][h], a))
					who = "an earlier seed of the parent";
			if (!who && (pattern_is(v, c->a, a) || pattern_is(v, c->b, a)))
				who = "the child's expected seed";
			for (int h = 0; h < 3 && !who; h++)
				if (pattern_is(v, c->hist[h], a))
					who = "an earlier seed the child wrote";
			if (who && found++ < 4)
				fprintf(stderr, "  first word %#" PRIx64 " is page %#" PRIx64
					" (worker %d chunk %" PRIu64 " page %" PRIu64 ") under %s\n",
					v, a, w, k / PPC, k % PPC, who);
		}
	if (!found)
		fprintf(stderr, "  first word %#" PRIx64 " is no known page's data\n", v);
}

/* Check one child page against its state: true when right. */
static bool child_check_page(struct mmlab_task *ct, int w, uint64_t k, char *msg, size_t len)
{
	static _Thread_local uint64_t buf[PG / 8];
	struct cpage *c = &S.cp[w][k];
	uint64_t a = WBASE(w) + k * PG, bad = 0, fa = 0;
	int ret;

	if (c->st == C_UNKNOWN) {
		S.child_skipped++;
		return true;
	}
	if (c->st == C_EXACT) {
		S.child_checked_exact++;
		ret = check_page(ct, a, c->a, &bad);
		if (ret) {
			/* whose data the child's page holds (the parent's
			 * seeds now: its current one, three earlier ones) */
			uint64_t v = 0;

			fprintf(stderr, "  child page %#" PRIx64 " wants %#" PRIx64 ":\n", a, c->a);
			explain_page(&S.w[w], ct, k);
			if (!mmlab_read(ct, a, &v, sizeof(v), NULL))
				whose_word(v);
		}
		if (ret)
			snprintf(msg, len, "child page %#" PRIx64 " (worker %d chunk %" PRIu64
				 " page %" PRIu64 ") want seed %#" PRIx64 ": %s %d at %#" PRIx64,
				 a, w, k / PPC, k % PPC, c->a, ret == -1 ? "mismatch" : "ret",
				 ret, bad);
		return !ret;
	}
	S.child_checked_either++;
	ret = mmlab_read(ct, a, buf, PG, &fa);
	if (ret == MMLAB_SIGSEGV) {
		S.child_sigsegv++;
		return true;	/* unmapped or protected at fork time */
	}
	if (ret) {
		snprintf(msg, len, "child read %#" PRIx64 ": %d", a, ret);
		return false;
	}
	for (unsigned int i = 0; i < PG / 8; i++) {
		uint64_t x = a + 8 * i;

		if (buf[i] != pat(c->a, x) && buf[i] != pat(c->b, x)) {
			snprintf(msg, len, "child page %#" PRIx64 " (worker %d chunk %" PRIu64
				 " page %" PRIu64 ") word at %#" PRIx64 " = %#" PRIx64
				 ": neither seed %#" PRIx64 " nor %#" PRIx64, a, w, k / PPC,
				 k % PPC, x, buf[i], c->a, c->b);
			return false;
		}
	}
	return true;
}

static bool child_check_range(struct mmlab_task *ct, int w, uint64_t k0, uint64_t n)
{
	char msg[300];

	for (uint64_t k = k0; k < k0 + n; k++)
		if (!child_check_page(ct, w, k, msg, sizeof(msg))) {
			global_fail("fork %lu: %s", S.forks, msg);
			return false;
		}
	return true;
}

/* A run of C_EXACT pages of at most @max from @k: its length (0: none). */
static uint64_t exact_run(int w, uint64_t k, uint64_t max)
{
	uint64_t n = 0;

	while (n < max && k + n < WPAGES && S.cp[w][k + n].st == C_EXACT)
		n++;
	return n;
}

static void child_op(struct mmlab_proc *c, struct mmlab_task *ct, uint64_t *rng)
{
	uint64_t r = stress_rnd(rng), w = r % NW, k = (r >> 8) % WPAGES, n, fa = 0;
	uint64_t a = WBASE(w) + k * PG;
	int ret;

	snprintf(S.fork_doing, sizeof(S.fork_doing), "fork %lu: child op %" PRIu64
		 " at %#" PRIx64, S.forks, (r >> 40) % 10, a);
	switch ((r >> 40) % 10) {
	case 0: case 1: case 2: {	/* write: CoW of the large folio */
		uint64_t seed = stress_rnd(rng) | 1;

		if ((r >> 50) & 1)
			k &= ~15ULL;
		n = exact_run((int)w, k, 1 + (r >> 52) % 64);
		if (!n)
			break;
		a = WBASE(w) + k * PG;
		ret = mmlab_fill(ct, a, n * PG, seed, &fa);
		if (ret) {
			global_fail("fork %lu: child fill %#" PRIx64 "+%" PRIu64 ": %d at %#" PRIx64,
				    S.forks, a, n, ret, fa);
			break;
		}
		for (uint64_t j = k; j < k + n; j++)
			child_set(&S.cp[w][j], seed);
		S.child_writes++;
		break;
	}
	case 3: case 4: case 5:
		child_check_range(ct, (int)w, k, k + 32 > WPAGES ? WPAGES - k : 32);
		break;
	case 6:
		n = exact_run((int)w, k, 1 + (r >> 52) % 64);
		if (!n)
			break;
		ret = mmlab_madvise(ct, a, n * PG, MADV_DONTNEED);
		if (ret)
			global_fail("fork %lu: child DONTNEED %#" PRIx64 ": %d", S.forks, a, ret);
		for (uint64_t j = k; j < k + n; j++)
			child_set(&S.cp[w][j], 0);
		break;
	case 7:
		mmlab_madvise(ct, a & ~(PMD - 1), PMD, MADV_PAGEOUT);
		break;
	case 8:
		mmlab_madvise(ct, a & ~(PMD - 1), PMD, MADV_COLLAPSE);
		break;
	default: {
		long m = mmlab_gup_fast(c, a & ~(PMD - 1), PPC, NULL);

		if (m < 0)
			global_fail("child gup_fast: %ld", m);
		if (S.nodes > 1 && (r & 1))
			mmlab_move_pages(c, a & ~(PMD - 1), PPC, (int)((r >> 1) & 1));
		break;
	}
	}
}

static void *forker_main(void *arg)
{
	uint64_t rng = mmlab_splitmix64(S.seed ^ 0xf0f0f0f0);

	(void)arg;
	while (workers_running()) {
		struct mmlab_proc *c = NULL;
		struct mmlab_task *ct;
		unsigned int nops;
		int ret;

		/* let the workers build some THPs first, then fork again and again */
		stress_pause(S.forks ? 2000 : 20000);
		if (!workers_running())
			break;
		snprintf(S.fork_doing, sizeof(S.fork_doing), "fork %lu: fork", S.forks);
		snapshot_before();
		ret = mmlab_fork(S.p, &c);
		if (ret) {
			global_fail("fork: %d", ret);
			break;
		}
		snapshot_after();
		ct = mmlab_main_task(c);
		nops = 50 + (unsigned int)(stress_rnd(&rng) % 150);
		for (unsigned int i = 0; i < nops && !stopping(); i++)
			child_op(c, ct, &rng);
		/* the whole copy, once in a while */
		if (!stopping() && S.forks % 4 == 0) {
			snprintf(S.fork_doing, sizeof(S.fork_doing), "fork %lu: child full check",
				 S.forks);
			for (int w = 0; w < NW && !stopping(); w++)
				child_check_range(ct, w, 0, WPAGES);
		}
		snprintf(S.fork_doing, sizeof(S.fork_doing), "fork %lu: child exit", S.forks);
		ret = mmlab_exit(c);
		if (ret)
			global_fail("child exit: %d", ret);
		S.forks++;
	}
	snprintf(S.fork_doing, sizeof(S.fork_doing), "done");
	return NULL;
}

#endif
