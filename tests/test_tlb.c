/*
 * test_tlb.c - TLB shootdowns: correctness, IPI counts, the stale-TLB
 * detector.
 *
 * - After mprotect to read-only, a write faults on every CPU that held a
 *   writable TLB entry.
 * - IPI counts as x86 Linux sends them (the host kernel, measured: exactly 1
 *   IPI to a running peer thread for munmap of a touched page, 2 for
 *   mprotect RO then RW of a touched page, 0 for an untouched page); none to
 *   a CPU that runs another mm; single-page flushes up to 33 pages, a full
 *   flush beyond (tlb_single_page_flush_ceiling).
 * - MADV_PAGEOUT of young read-only shmem pages cached by CPU 1 sends only
 *   reclaim's batched flush (young bits stay, references are ignored, as in
 *   6.18); MADV_COLD clears the young bits and flushes each page.
 * - With /sys/kernel/mm/mmlab/debug/skip_flush = 1 the detector reports a
 *   stale access; with it 0 (every other test) it reports none.
 * - Concurrent: a peer CPU writing while another CPU flips the protection,
 *   or reading while another unmaps and remaps, never gets through a stale
 *   entry.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "harness.h"

#define RW	(PROT_READ | PROT_WRITE)
#define SKIP_FLUSH	"/sys/kernel/mm/mmlab/debug/skip_flush"
#define STALE_CHECK	"/sys/kernel/mm/mmlab/debug/stale_check"

struct tlbstat {
	uint64_t remote, received, local_one, local_all;
};

static struct tlbstat tlbstat(void)
{
	struct tlbstat s = {
		vmstat("nr_tlb_remote_flush"),
		vmstat("nr_tlb_remote_flush_received"),
		vmstat("nr_tlb_local_flush_one"),
		vmstat("nr_tlb_local_flush_all"),
	};
	return s;
}

static void t_detector_on(void **state)
{
	char buf[16] = "";

	assert_true(mmlab_knob_get(STALE_CHECK, buf, sizeof(buf)) >= 0);
	assert_int_equal(atoi(buf), 1);
	assert_true(mmlab_knob_get(SKIP_FLUSH, buf, sizeof(buf)) >= 0);
	assert_int_equal(atoi(buf), 0);
	assert_int_equal(mmlab_nr_cpus(), 4);
}

static void t_mprotect_ro_every_cpu(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t[4];
	uint64_t a = map_anon(p, 0, 4 * PG, RW, 0), fa;
	unsigned int i;

	t[0] = mmlab_main_task(p);
	for (i = 1; i < 4; i++)
		t[i] = task_on(p, i);
	/* Every CPU caches writable entries for page 0 and its own page. */
	for (i = 0; i < 4; i++) {
		put64(t[i], a + 8 * i, i);
		put64(t[i], a + i * PG + 64, i);
		put64(t[i], a + 8 * i, i + 10);
	}
	assert_int_equal(mmlab_mprotect(t[0], a, 4 * PG, PROT_READ), 0);
	for (i = 0; i < 4; i++) {
		uint64_t v = 0xdead;

		fa = 0;
		assert_int_equal(mmlab_write(t[i], a + 8 * i, &v, 8, &fa), MMLAB_SIGSEGV);
		assert_int_equal(fa, a + 8 * i);
		fa = 0;
		assert_int_equal(mmlab_write(t[i], a + i * PG + 64, &v, 8, &fa),
				 MMLAB_SIGSEGV);
		assert_int_equal(fa, a + i * PG + 64);
		/* Reads still work and the data is what was written before. */
		assert_int_equal(get64(t[i], a + 8 * i), i + 10);
		assert_int_equal(get64(t[i], a + i * PG + 64), i);
	}
	assert_int_equal(mmlab_mprotect(t[0], a, 4 * PG, RW), 0);
	for (i = 0; i < 4; i++)
		put64(t[i], a + i * PG + 128, i);
	/* PROT_NONE: reads fault too. */
	assert_int_equal(mmlab_mprotect(t[2], a, 4 * PG, PROT_NONE), 0);
	for (i = 0; i < 4; i++) {
		uint64_t v;

		assert_int_equal(mmlab_read(t[i], a + i * PG, &v, 8, NULL), MMLAB_SIGSEGV);
	}
	/* munmap: every CPU faults. */
	assert_int_equal(mmlab_mprotect(t[2], a, 4 * PG, RW), 0);
	for (i = 0; i < 4; i++)
		put64(t[i], a + i * PG, i);
	assert_int_equal(mmlab_munmap(t[3], a, 4 * PG), 0);
	for (i = 0; i < 4; i++) {
		uint64_t v;

		assert_int_equal(mmlab_read(t[i], a + i * PG, &v, 8, NULL), MMLAB_SIGSEGV);
	}
	assert_int_equal(mmlab_exit(p), 0);
}

/* A process whose thread on CPU 1 touched [a, a + 4 pages) of 8. */
static struct mmlab_proc *peer_setup(uint64_t *a, struct mmlab_task **peer)
{
	struct mmlab_proc *p = spawn();

	*a = map_anon(p, 0, 8 * PG, RW, 0);
	*peer = task_on(p, 1);
	assert_int_equal(mmlab_touch(*peer, *a, 4 * PG, true, NULL), 0);
	return p;
}

static void t_ipi_munmap_touched(void **state)
{
	struct mmlab_task *peer;
	uint64_t a;
	struct mmlab_proc *p = peer_setup(&a, &peer);
	struct tlbstat s0 = tlbstat(), s1;

	assert_int_equal(mmlab_munmap(mmlab_main_task(p), a + PG, PG), 0);
	s1 = tlbstat();
	assert_int_equal(s1.received - s0.received, 1);
	assert_int_equal(s1.remote - s0.remote, 1);
	assert_int_equal(s1.local_one - s0.local_one, 1);
	assert_int_equal(s1.local_all - s0.local_all, 0);
	assert_int_equal(mmlab_touch(peer, a + PG, PG, false, NULL), MMLAB_SIGSEGV);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_ipi_mprotect_ro_rw(void **state)
{
	struct mmlab_task *peer;
	uint64_t a;
	struct mmlab_proc *p = peer_setup(&a, &peer);
	struct mmlab_task *t = mmlab_main_task(p);
	struct tlbstat s0 = tlbstat(), s1;

	assert_int_equal(mmlab_mprotect(t, a + 2 * PG, PG, PROT_READ), 0);
	s1 = tlbstat();
	assert_int_equal(s1.received - s0.received, 1);
	assert_int_equal(mmlab_mprotect(t, a + 2 * PG, PG, RW), 0);
	s1 = tlbstat();
	assert_int_equal(s1.received - s0.received, 2);
	assert_int_equal(s1.remote - s0.remote, 2);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_ipi_untouched(void **state)
{
	struct mmlab_task *peer;
	uint64_t a;
	struct mmlab_proc *p = peer_setup(&a, &peer);
	struct mmlab_task *t = mmlab_main_task(p);
	struct tlbstat s0 = tlbstat(), s1;

	assert_int_equal(mmlab_munmap(t, a + 6 * PG, PG), 0);
	assert_int_equal(mmlab_mprotect(t, a + 5 * PG, PG, PROT_READ), 0);
	assert_int_equal(mmlab_madvise(t, a + 4 * PG, PG, MADV_DONTNEED), 0);
	s1 = tlbstat();
	assert_int_equal(s1.received - s0.received, 0);
	assert_int_equal(s1.remote - s0.remote, 0);
	assert_int_equal(s1.local_one - s0.local_one, 0);
	assert_int_equal(s1.local_all - s0.local_all, 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* MADV_DONTNEED of a touched page: one IPI, as munmap. */
static void t_ipi_dontneed_touched(void **state)
{
	struct mmlab_task *peer;
	uint64_t a;
	struct mmlab_proc *p = peer_setup(&a, &peer);
	struct tlbstat s0 = tlbstat(), s1;

	assert_int_equal(mmlab_madvise(mmlab_main_task(p), a, PG, MADV_DONTNEED), 0);
	s1 = tlbstat();
	assert_int_equal(s1.received - s0.received, 1);
	assert_int_equal(get64(peer, a), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

#define YOUNG_PAGES	16

/*
 * A read-only shmem mapping of YOUNG_PAGES written through a mapping that is
 * gone again, then read by CPU 1: its PTEs are young and CPU 1 caches them.
 */
static struct mmlab_proc *young_shmem(uint64_t *a)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	int fd = mmlab_memfd(p, "young", YOUNG_PAGES * PG);
	uint64_t w = 0;

	assert_true(fd >= 0);
	assert_int_equal(mmlab_swapon(16 * MiB), 0);
	assert_int_equal(mmlab_mmap(t, 0, YOUNG_PAGES * PG, RW, MAP_SHARED, fd, 0, &w), 0);
	assert_int_equal(mmlab_touch(t, w, YOUNG_PAGES * PG, true, NULL), 0);
	assert_int_equal(mmlab_munmap(t, w, YOUNG_PAGES * PG), 0);
	assert_int_equal(mmlab_mmap(t, 0, YOUNG_PAGES * PG, PROT_READ, MAP_SHARED, fd, 0, a), 0);
	assert_int_equal(mmlab_touch(task_on(p, 1), *a, YOUNG_PAGES * PG, false, NULL), 0);
	return p;
}

/*
 * MADV_PAGEOUT reclaims with references ignored and leaves young bits
 * alone (6.18's madvise_cold_or_pageout_pte_range clears them for
 * MADV_COLD only): the only shootdown is reclaim's batched unmap flush, one
 * IPI to CPU 1, no page is flushed one by one, and every page goes.
 * MADV_COLD clears the young bits: each page's entry is flushed here and on
 * CPU 1 (one shootdown), and the pages stay.
 */
static void young_case(int advice)
{
	bool pageout = advice == MADV_PAGEOUT;
	uint64_t a = 0;
	struct mmlab_proc *p = young_shmem(&a);
	struct tlbstat s0 = tlbstat(), s1;

	assert_int_equal(mmlab_madvise(mmlab_main_task(p), a, YOUNG_PAGES * PG, advice), 0);
	s1 = tlbstat();
	print_message("%s of %d young pages: %" PRIu64 " shootdowns, %" PRIu64 " IPIs, %"
		      PRIu64 " local single-page flushes\n", pageout ? "MADV_PAGEOUT" : "MADV_COLD",
		      YOUNG_PAGES, s1.remote - s0.remote, s1.received - s0.received,
		      s1.local_one - s0.local_one);
	assert_int_equal(s1.remote - s0.remote, 1);
	assert_int_equal(s1.received - s0.received, 1);
	assert_int_equal(s1.local_one - s0.local_one, pageout ? 0 : YOUNG_PAGES);
	assert_int_equal(status_of(p).RssShmem, pageout ? 0 : YOUNG_PAGES * PG / KiB);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_ipi_pageout_young(void **state) { young_case(MADV_PAGEOUT); }
static void t_ipi_cold_young(void **state) { young_case(MADV_COLD); }

/* One CPU only: local flushes, no IPI. */
static void t_single_cpu_no_ipi(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, 8 * PG, RW, 0);
	struct tlbstat s0, s1;

	assert_int_equal(mmlab_touch(t, a, 8 * PG, true, NULL), 0);
	s0 = tlbstat();
	assert_int_equal(mmlab_munmap(t, a + PG, PG), 0);
	assert_int_equal(mmlab_mprotect(t, a + 3 * PG, 2 * PG, PROT_READ), 0);
	s1 = tlbstat();
	assert_int_equal(s1.remote - s0.remote, 0);
	assert_int_equal(s1.received - s0.received, 0);
	assert_int_equal(s1.local_one - s0.local_one, 1 + 2);
	assert_int_equal(mmlab_exit(p), 0);
}

/* Up to 33 pages: one flush per page; beyond: one full flush. */
static void t_flush_ceiling(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, 256 * PG, RW, 0);
	struct tlbstat s0, s1;

	assert_int_equal(mmlab_touch(t, a, 256 * PG, true, NULL), 0);
	s0 = tlbstat();
	assert_int_equal(mmlab_munmap(t, a + 8 * PG, 33 * PG), 0);
	s1 = tlbstat();
	assert_int_equal(s1.local_one - s0.local_one, 33);
	assert_int_equal(s1.local_all - s0.local_all, 0);
	s0 = s1;
	assert_int_equal(mmlab_munmap(t, a + 64 * PG, 34 * PG), 0);
	s1 = tlbstat();
	assert_int_equal(s1.local_one - s0.local_one, 0);
	assert_int_equal(s1.local_all - s0.local_all, 1);
	s0 = s1;
	assert_int_equal(mmlab_mprotect(t, a + 128 * PG, 34 * PG, PROT_READ), 0);
	s1 = tlbstat();
	assert_int_equal(s1.local_all - s0.local_all, 1);
	assert_int_equal(mmlab_touch(t, a + 160 * PG, PG, true, NULL), MMLAB_SIGSEGV);
	assert_int_equal(mmlab_touch(t, a + 100 * PG, PG, false, NULL), 0);
	assert_int_equal(mmlab_touch(t, a + 70 * PG, PG, false, NULL), MMLAB_SIGSEGV);
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * A CPU that switched to another mm gets no IPI; when it comes back it
 * must not use what it cached before (TLB generations).
 */
static void t_switched_away_cpu(void **state)
{
	struct mmlab_task *peer;
	uint64_t a, fa = 0, v;
	struct mmlab_proc *p = peer_setup(&a, &peer), *q = spawn();
	struct mmlab_task *qt = task_on(q, 1);
	uint64_t b = map_anon(q, 0, PG, RW, 0);
	struct tlbstat s0, s1;

	put64(qt, b, 1);		/* CPU 1 now runs q's mm */
	s0 = tlbstat();
	assert_int_equal(mmlab_munmap(mmlab_main_task(p), a + PG, PG), 0);
	assert_int_equal(mmlab_mprotect(mmlab_main_task(p), a + 2 * PG, PG, PROT_READ), 0);
	s1 = tlbstat();
	assert_int_equal(s1.received - s0.received, 0);
	assert_int_equal(mmlab_read(peer, a + PG, &v, 8, &fa), MMLAB_SIGSEGV);
	assert_int_equal(fa, a + PG);
	assert_int_equal(mmlab_write(peer, a + 2 * PG, &v, 8, &fa), MMLAB_SIGSEGV);
	/* What touch stored at the first byte of the page. */
	assert_int_equal(get64(peer, a), ((a >> 12) & 0xff) | 1);
	assert_int_equal(mmlab_exit(q), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* skip_flush = 1 drops flushes: the detector must see the stale access. */
static void stale_case(bool peer_cpu)
{
	struct mmlab_proc *p;
	struct mmlab_task *t, *u;
	uint64_t a, v = 0, st0;
	char buf[16] = "";

	machine_up_cfg(NULL);
	p = spawn();
	t = mmlab_main_task(p);
	u = peer_cpu ? task_on(p, 1) : t;
	a = map_anon(p, 0, 4 * PG, RW, 0);
	assert_int_equal(mmlab_knob_set(SKIP_FLUSH, "1"), 0);
	assert_true(mmlab_knob_get(SKIP_FLUSH, buf, sizeof(buf)) >= 0);
	assert_int_equal(atoi(buf), 1);
	put64(u, a + PG, 0x1234);
	assert_int_equal(get64(u, a + PG), 0x1234);
	st0 = vmstat("stale_tlb_reports");
	assert_int_equal(st0, 0);
	assert_int_equal(mmlab_munmap(t, a + PG, PG), 0);
	/* The entry survives in u's TLB: this access goes through it. */
	(void)mmlab_read(u, a + PG, &v, 8, NULL);
	assert_true(vmstat("stale_tlb_reports") > st0);
	assert_int_equal(mmlab_knob_set(SKIP_FLUSH, "0"), 0);
	assert_int_equal(mmlab_exit(p), 0);
	mmlab_machine_destroy();
}

static void t_stale_detector_fires_local(void **state)
{
	stale_case(false);
}

static void t_stale_detector_fires_remote(void **state)
{
	stale_case(true);
}

/* ---- concurrent ---- */

struct flip {
	struct mmlab_task *t;
	uint64_t a;
	atomic_uint seq;	/* odd: a mprotect is in flight */
	atomic_int ro;		/* the protection once seq is even */
	atomic_bool stop;
	unsigned long writes, faults, violations, other;
};

static void *flip_peer(void *arg)
{
	struct flip *f = arg;
	uint64_t n = 0;

	while (!atomic_load(&f->stop)) {
		unsigned int s1 = atomic_load(&f->seq);
		int ro = atomic_load(&f->ro);
		int ret;

		n++;
		ret = mmlab_write(f->t, f->a, &n, sizeof(n), NULL);
		if (ret == 0)
			f->writes++;
		else if (ret == MMLAB_SIGSEGV)
			f->faults++;
		else
			f->other++;
		/* Read-only during the whole write, yet it went through. */
		if (ret == 0 && !(s1 & 1) && ro && atomic_load(&f->seq) == s1)
			f->violations++;
		/* Read-write during the whole write, yet it faulted. */
		if (ret == MMLAB_SIGSEGV && !(s1 & 1) && !ro &&
		    atomic_load(&f->seq) == s1)
			f->violations++;
	}
	return NULL;
}

static void t_concurrent_mprotect(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	struct flip f = { .t = task_on(p, 1) };
	double end = now_s() + env_u64("MMLAB_TLB_SECONDS", 1);
	pthread_t th;
	unsigned long rounds = 0;

	f.a = map_anon(p, 0, 4 * PG, RW, 0);
	put64(t, f.a, 0);
	atomic_init(&f.seq, 0);
	atomic_init(&f.ro, 0);
	atomic_init(&f.stop, false);
	assert_int_equal(pthread_create(&th, NULL, flip_peer, &f), 0);
	while (now_s() < end || rounds < 50) {
		uint64_t v1, v2;

		atomic_fetch_add(&f.seq, 1);
		assert_int_equal(mmlab_mprotect(t, f.a, 4 * PG, PROT_READ), 0);
		atomic_store(&f.ro, 1);
		atomic_fetch_add(&f.seq, 1);
		/* While read-only, the value cannot move. */
		v1 = get64(t, f.a);
		v2 = get64(t, f.a);
		assert_int_equal(v1, v2);
		atomic_fetch_add(&f.seq, 1);
		assert_int_equal(mmlab_mprotect(t, f.a, 4 * PG, RW), 0);
		atomic_store(&f.ro, 0);
		atomic_fetch_add(&f.seq, 1);
		rounds++;
	}
	atomic_store(&f.stop, true);
	pthread_join(th, NULL);
	print_message("%lu rounds, peer: %lu writes, %lu faults\n", rounds, f.writes,
		      f.faults);
	assert_int_equal(f.violations, 0);
	assert_int_equal(f.other, 0);
	assert_true(f.writes > 0);
	assert_int_equal(mmlab_exit(p), 0);
}

struct remap {
	struct mmlab_task *t;
	uint64_t a;
	atomic_uint seq;	/* odd: munmap/mmap in flight */
	atomic_ullong seed;	/* 0: unmapped; else the fill seed */
	atomic_bool stop;
	unsigned long reads, faults, violations;
};

static void *remap_peer(void *arg)
{
	struct remap *r = arg;
	uint64_t buf[16];

	while (!atomic_load(&r->stop)) {
		unsigned int s1 = atomic_load(&r->seq);
		uint64_t seed = atomic_load(&r->seed);
		int ret = mmlab_read(r->t, r->a + 256, buf, sizeof(buf), NULL);
		bool stable = !(s1 & 1) && atomic_load(&r->seq) == s1;

		if (ret == MMLAB_SIGSEGV) {
			r->faults++;
			if (stable && seed)
				r->violations++;
			continue;
		}
		r->reads++;
		if (ret || (stable && !seed)) {
			r->violations++;
			continue;
		}
		if (stable) {
			for (int i = 0; i < 16; i++) {
				uint64_t a = r->a + 256 + 8 * i;

				if (buf[i] != mmlab_splitmix64(seed ^ (a >> 3)))
					r->violations++;
			}
		}
	}
	return NULL;
}

static void t_concurrent_munmap_remap(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	struct remap r = { .t = task_on(p, 2) };
	double end = now_s() + env_u64("MMLAB_TLB_SECONDS", 1);
	pthread_t th;
	uint64_t seed = 1, out;
	unsigned long rounds = 0;

	r.a = map_anon(p, 0, 2 * PG, RW, 0);
	fill_ok(t, r.a, 2 * PG, seed);
	atomic_init(&r.seq, 0);
	atomic_init(&r.seed, seed);
	atomic_init(&r.stop, false);
	assert_int_equal(pthread_create(&th, NULL, remap_peer, &r), 0);
	while (now_s() < end || rounds < 50) {
		atomic_fetch_add(&r.seq, 1);
		assert_int_equal(mmlab_munmap(t, r.a, 2 * PG), 0);
		atomic_store(&r.seed, 0);
		atomic_fetch_add(&r.seq, 1);
		usleep(50);
		atomic_fetch_add(&r.seq, 1);
		seed++;
		assert_int_equal(mmlab_mmap(t, r.a, 2 * PG, RW,
					    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0,
					    &out), 0);
		fill_ok(t, r.a, 2 * PG, seed);
		atomic_store(&r.seed, seed);
		atomic_fetch_add(&r.seq, 1);
		usleep(50);
		rounds++;
	}
	atomic_store(&r.stop, true);
	pthread_join(th, NULL);
	print_message("%lu rounds, peer: %lu reads, %lu faults\n", rounds, r.reads,
		      r.faults);
	assert_int_equal(r.violations, 0);
	assert_true(r.reads > 0);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_machine, teardown_machine)
	const struct CMUnitTest tests[] = {
		T(t_detector_on),
		T(t_mprotect_ro_every_cpu),
		T(t_ipi_munmap_touched),
		T(t_ipi_mprotect_ro_rw),
		T(t_ipi_untouched),
		T(t_ipi_dontneed_touched),
		T(t_ipi_pageout_young),
		T(t_ipi_cold_young),
		T(t_single_cpu_no_ipi),
		T(t_flush_ceiling),
		T(t_switched_away_cpu),
		cmocka_unit_test(t_stale_detector_fires_local),
		cmocka_unit_test(t_stale_detector_fires_remote),
		T(t_concurrent_mprotect),
		T(t_concurrent_munmap_remap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
