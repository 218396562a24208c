/*
 * test_tiers.c - migration between nodes and memory tiers.
 *
 * Machine: node 0 is the fast tier (CPUs' node), node 1 a slower one
 * (mmlab_config.node_slow[1]).  Kernel behaviour modelled:
 * - move_pages(2) moves mapped pages to a node, data intact, through
 *   migration entries (an access during the move waits and then sees the
 *   new page); pgmigrate_success counts.  It migrates the pages it gathered
 *   in batches of 512, one TLB shootdown per batch.
 * - With /sys/kernel/mm/numa/demotion_enabled, reclaim on the fast node
 *   demotes cold pages to the slow node instead of swapping them
 *   (pgdemote_kswapd / pgdemote_direct); a THP mapped by one PMD moves whole.
 * - With /proc/sys/kernel/numa_balancing = 2 (memory tiering), the scan
 *   makes slow-node PTEs PROT_NONE; an access soon after faults
 *   (numa_hint_faults) and promotes the page (pgpromote_success).  When the
 *   fast node has no room, kswapd is woken there to demote cold pages.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "harness.h"

#ifndef MMLAB_STRESS_DEFAULT_SECONDS
#define MMLAB_STRESS_DEFAULT_SECONDS 10
#endif

#define RW		(PROT_READ | PROT_WRITE)
#define DEMOTION	"/sys/kernel/mm/numa/demotion_enabled"
#define NUMA_BAL	"/proc/sys/kernel/numa_balancing"
#define SCAN_PERIOD	"/sys/kernel/debug/sched/numa_balancing/scan_period_min_ms"

static void tier_machine(uint64_t fast_mib, uint64_t slow_mib, uint64_t swap_mib)
{
	struct mmlab_config cfg;

	mmlab_config_default(&cfg);
	cfg.nr_nodes = 2;
	cfg.node_bytes[0] = fast_mib * MiB;
	cfg.node_bytes[1] = slow_mib * MiB;
	cfg.node_slow[1] = true;
	cfg.node_latency_ns[1] = 250;
	machine_up_cfg(&cfg);
	if (swap_mib)
		assert_int_equal(mmlab_swapon(swap_mib * MiB), 0);
}

static int setup_tiers(void **state)
{
	(void)state;
	tier_machine(16, 64, 128);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	machine_down();
	return 0;
}

static uint64_t map_rw(struct mmlab_proc *p, uint64_t len)
{
	uint64_t a = map_anon(p, 0, len, RW, 0);

	assert_int_equal(mmlab_madvise(mmlab_main_task(p), a, len, MADV_NOHUGEPAGE), 0);
	return a;
}

/* Pages of [a, a + n pages) on @node. */
static uint64_t on_node(struct mmlab_proc *p, uint64_t a, uint64_t n, int node)
{
	uint64_t i, c = 0;

	for (i = 0; i < n; i++)
		if (mmlab_page_node(p, a + i * PG) == node)
			c++;
	return c;
}

/* ------------------------------------------------------------------ */

static void t_move_pages(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 64;
	uint64_t a = map_rw(p, n * PG), mig0, pfn0, i;

	(void)state;
	fill_ok(t, a, n * PG, 0x10);
	assert_int_equal(on_node(p, a, n, 0), n);
	pfn0 = pfn_of(pm1(p, a));
	mig0 = vmstat("pgmigrate_success");
	assert_int_equal(mmlab_move_pages(p, a, n, 1), n);
	assert_int_equal(vmstat("pgmigrate_success") - mig0, n);
	assert_int_equal(on_node(p, a, n, 1), n);
	assert_true(pfn_of(pm1(p, a)) != pfn0);
	verify_ok(t, a, n * PG, 0x10);
	/* already there: nothing moves */
	assert_int_equal(mmlab_move_pages(p, a, n, 1), 0);
	/* writes to the moved pages land, and move back with them */
	fill_ok(t, a, n / 2 * PG, 0x11);
	assert_int_equal(mmlab_move_pages(p, a, n, 0), n);
	assert_int_equal(on_node(p, a, n, 0), n);
	verify_ok(t, a, n / 2 * PG, 0x11);
	verify_ok(t, a + n / 2 * PG, n / 2 * PG, 0x10);
	/* bad node */
	assert_int_equal(mmlab_move_pages(p, a, n, 2), -EINVAL);
	assert_int_equal(mmlab_move_pages(p, a, n, -1), -EINVAL);
	/* holes and unpopulated pages are skipped */
	{
		uint64_t b = map_rw(p, 8 * PG);

		put64(t, b + 2 * PG, 7);
		assert_int_equal(mmlab_move_pages(p, b, 8, 1), 1);
		assert_int_equal(mmlab_page_node(p, b + 2 * PG), 1);
		assert_int_equal(mmlab_page_node(p, b + 3 * PG), -ENOENT);
		assert_int_equal(get64(t, b + 2 * PG), 7);
	}
	/* exclusive still: a write after the move needs no copy */
	for (i = 0; i < 4; i++)
		assert_true(pm1(p, a + i * PG) & MMLAB_PM_MMAP_EXCLUSIVE);
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * move_pages gathers the pages and migrates them in batches of 512 with one
 * TLB flush each (do_pages_move -> migrate_pages_batch): 1100 pages CPU 1
 * caches cost 3 shootdowns, one IPI each.
 */
static void t_move_pages_batched(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 1100, batches = (n + 511) / 512;
	uint64_t a = map_rw(p, n * PG), sd0, rcv0, sd, rcv;

	(void)state;
	fill_ok(t, a, n * PG, 0x12);
	verify_ok(task_on(p, 1), a, n * PG, 0x12);
	sd0 = vmstat("nr_tlb_remote_flush");
	rcv0 = vmstat("nr_tlb_remote_flush_received");
	assert_int_equal(mmlab_move_pages(p, a, n, 1), n);
	sd = vmstat("nr_tlb_remote_flush") - sd0;
	rcv = vmstat("nr_tlb_remote_flush_received") - rcv0;
	print_message("move_pages of %" PRIu64 " pages: %" PRIu64 " shootdowns, %" PRIu64
		      " IPIs\n", n, sd, rcv);
	assert_int_equal(sd, batches);
	assert_int_equal(rcv, batches);
	assert_int_equal(on_node(p, a, n, 1), n);
	verify_ok(t, a, n * PG, 0x12);
	assert_int_equal(mmlab_exit(p), 0);
}

/* Moving a page mapped by two processes (after fork) and a shmem page. */
static void t_move_shared(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p), *ct;
	const uint64_t n = 16;
	uint64_t a = map_rw(p, n * PG), s = 0;
	int fd = mmlab_memfd(p, "tier", n * PG);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(t, 0, n * PG, RW, MAP_SHARED, fd, 0, &s), 0);
	fill_ok(t, a, n * PG, 0x20);
	fill_ok(t, s, n * PG, 0x21);
	assert_int_equal(mmlab_fork(p, &c), 0);
	ct = mmlab_main_task(c);
	verify_ok(ct, s, n * PG, 0x21);		/* map shmem in the child too */
	assert_int_equal(mmlab_move_pages(p, a, n, 1), n);
	assert_int_equal(mmlab_move_pages(p, s, n, 1), n);
	assert_int_equal(on_node(c, a, n, 1), n);	/* the child's too: same pages */
	assert_int_equal(on_node(c, s, n, 1), n);
	assert_int_equal(pfn_of(pm1(c, a)), pfn_of(pm1(p, a)));
	verify_ok(ct, a, n * PG, 0x20);
	verify_ok(t, a, n * PG, 0x20);
	verify_ok(ct, s, n * PG, 0x21);
	/* still CoW after the move: the child's write is private */
	fill_ok(ct, a, PG, 0x22);
	verify_ok(t, a, PG, 0x20);
	/* shmem still shared after the move */
	fill_ok(ct, s, PG, 0x23);
	verify_ok(t, s, PG, 0x23);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_close(p, fd), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* Memory tiering mode: a hot range on the slow node is promoted; a cold
 * one stays. */
static void t_promotion(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 256;
	uint64_t hot = map_rw(p, n * PG), cold = map_rw(p, n * PG);
	uint64_t hint0, promo0;
	double end;

	(void)state;
	fill_ok(t, hot, n * PG, 0x30);
	fill_ok(t, cold, n * PG, 0x31);
	assert_int_equal(mmlab_move_pages(p, hot, n, 1), n);
	assert_int_equal(mmlab_move_pages(p, cold, n, 1), n);
	hint0 = vmstat("numa_hint_faults");
	promo0 = vmstat("pgpromote_success");
	knob(SCAN_PERIOD, "10");
	knob(NUMA_BAL, "2");
	end = now_s() + 5;
	while (on_node(p, hot, n, 0) < n && now_s() < end) {
		verify_ok(t, hot, n * PG, 0x30);
		usleep(2000);
	}
	knob(NUMA_BAL, "0");
	print_message("promotion: hot on node 0: %" PRIu64 "/%" PRIu64 ", cold on node 1: %"
		      PRIu64 ", numa_hint_faults +%" PRIu64 ", pgpromote_success +%" PRIu64
		      "\n", on_node(p, hot, n, 0), n, on_node(p, cold, n, 1),
		      vmstat("numa_hint_faults") - hint0, vmstat("pgpromote_success") - promo0);
	assert_int_equal(on_node(p, hot, n, 0), n);
	assert_true(vmstat("numa_hint_faults") - hint0 >= n);
	assert_true(vmstat("pgpromote_success") - promo0 >= n);
	/* the cold range was never touched: still on the slow node */
	assert_int_equal(on_node(p, cold, n, 1), n);
	verify_ok(t, hot, n * PG, 0x30);
	verify_ok(t, cold, n * PG, 0x31);
	assert_int_equal(mmlab_exit(p), 0);
}

/* numa_balancing = 0: no hinting faults, no promotion. */
static void t_no_promotion_when_off(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 64;
	uint64_t a = map_rw(p, n * PG), hint0;
	int i;

	(void)state;
	fill_ok(t, a, n * PG, 0x40);
	assert_int_equal(mmlab_move_pages(p, a, n, 1), n);
	knob(SCAN_PERIOD, "10");
	hint0 = vmstat("numa_hint_faults");
	for (i = 0; i < 20; i++) {
		verify_ok(t, a, n * PG, 0x40);
		usleep(2000);
	}
	assert_int_equal(vmstat("numa_hint_faults"), hint0);
	assert_int_equal(on_node(p, a, n, 1), n);
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * The fast node is full (allocations spilled to the slow node); a hot range
 * on the slow node asks for promotion, which wakes kswapd on the fast node:
 * it demotes cold pages to the slow node (which has room) rather than
 * swapping anything, and the promotions then succeed.
 */
static void t_promotion_demotes_cold(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t cold_len = 20 * MiB, hot_n = 512;
	uint64_t cold = map_rw(p, cold_len), hot, dem0, promo0, out0;
	double end;

	(void)state;
	knob(DEMOTION, "true");
	out0 = vmstat("pswpout");
	fill_ok(t, cold, cold_len, 0x50);	/* fills node 0, spills to node 1 */
	hot = map_rw(p, hot_n * PG);
	fill_ok(t, hot, hot_n * PG, 0x51);
	/* node 0 is full: the hot range is on node 1 already, or moved there */
	assert_true(mmlab_move_pages(p, hot, hot_n, 1) >= 0);
	assert_int_equal(on_node(p, hot, hot_n, 1), hot_n);
	print_message("before: cold on node 0: %" PRIu64 " of %" PRIu64 "\n",
		      on_node(p, cold, cold_len / PG, 0), cold_len / PG);
	dem0 = vmstat("pgdemote_kswapd") + vmstat("pgdemote_direct");
	promo0 = vmstat("pgpromote_success");
	knob(SCAN_PERIOD, "10");
	knob(NUMA_BAL, "2");
	end = now_s() + 8;
	while (on_node(p, hot, hot_n, 0) < hot_n && now_s() < end) {
		verify_ok(t, hot, hot_n * PG, 0x51);
		usleep(2000);
	}
	knob(NUMA_BAL, "0");
	print_message("after: hot on node 0: %" PRIu64 "/%" PRIu64 ", pgdemote +%" PRIu64
		      ", pgpromote_success +%" PRIu64 ", pswpout +%" PRIu64 "\n",
		      on_node(p, hot, hot_n, 0), hot_n,
		      vmstat("pgdemote_kswapd") + vmstat("pgdemote_direct") - dem0,
		      vmstat("pgpromote_success") - promo0, vmstat("pswpout") - out0);
	assert_true(vmstat("pgdemote_kswapd") + vmstat("pgdemote_direct") - dem0 > 0);
	assert_true(vmstat("pgpromote_success") - promo0 >= hot_n / 2);
	assert_true(on_node(p, hot, hot_n, 0) >= hot_n / 2);
	assert_int_equal(vmstat("pswpout"), out0);	/* demoted, not swapped */
	verify_ok(t, cold, cold_len, 0x50);
	verify_ok(t, hot, hot_n * PG, 0x51);
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * More data than both nodes hold: reclaim on the fast node demotes (the
 * slow node's own reclaim swaps); with demotion off nothing is demoted.
 * Every byte survives either way.
 */
static void demote_under_pressure(bool demotion)
{
	struct mmlab_proc *p;
	struct mmlab_task *t;
	const uint64_t len = 64 * MiB;
	uint64_t a, dem0, out0, steal0, dem;

	tier_machine(16, 32, 128);
	knob(DEMOTION, demotion ? "1" : "0");
	p = spawn();
	t = mmlab_main_task(p);
	a = map_rw(p, len);
	dem0 = vmstat("pgdemote_kswapd") + vmstat("pgdemote_direct");
	out0 = vmstat("pswpout");
	steal0 = vmstat("pgsteal_kswapd") + vmstat("pgsteal_direct");
	/* fill in steps with a pause between them: kswapd threads share two
	 * host cores with this one, and a fill that outruns them puts its
	 * pages on the slow node directly (allocation fallback) until nothing
	 * is left to demote into; the kernel's kswapd keeps up with a fault
	 * stream, which is what this test is about */
	for (uint64_t off = 0; off < len; off += 4 * MiB) {
		fill_ok(t, a + off, 4 * MiB, 0x60);
		usleep(2000);
	}
	verify_ok(t, a, len, 0x60);
	fill_ok(t, a, len / 2, 0x61);
	verify_ok(t, a, len / 2, 0x61);
	verify_ok(t, a + len / 2, len / 2, 0x60);
	dem = vmstat("pgdemote_kswapd") + vmstat("pgdemote_direct") - dem0;
	print_message("demotion %s: pgdemote_kswapd %" PRIu64 " pgdemote_direct %" PRIu64
		      " pswpout +%" PRIu64 " pgsteal +%" PRIu64 " pgmigrate_fail %" PRIu64 "\n",
		      demotion ? "on" : "off", vmstat("pgdemote_kswapd"),
		      vmstat("pgdemote_direct"), vmstat("pswpout") - out0,
		      vmstat("pgsteal_kswapd") + vmstat("pgsteal_direct") - steal0,
		      vmstat("pgmigrate_fail"));
	if (demotion)
		assert_true(dem > 0);
	else
		assert_int_equal(dem, 0);
	assert_true(vmstat("pswpout") > out0);	/* 64 MiB > 48 MiB: some swap */
	assert_int_equal(mmlab_exit(p), 0);
	machine_down();
}

static void t_demote_under_pressure(void **state)
{
	(void)state;
	demote_under_pressure(true);
}

static void t_no_demotion_when_off(void **state)
{
	(void)state;
	demote_under_pressure(false);
}

/*
 * THPs on the fast node, then small pages filling it (spilling to the slow
 * node), then a hot range on the slow node asking for promotion, which
 * wakes kswapd on the fast node: it demotes the cold THPs (each mapped by
 * one PMD) whole: thp_migration_success, 512 pages of pgdemote each, the
 * THP still PMD-mapped on the slow node, every byte intact.
 */
static void t_demote_thp_whole(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t len = 8 * MiB, cold_len = 12 * MiB, hot_n = 512;
	uint64_t m, a, cold, hot, ok0, dem0, on_slow = 0;
	struct mmlab_smaps sm;
	double end;

	(void)state;
	knob(DEMOTION, "true");
	knob("/sys/kernel/mm/transparent_hugepage/enabled", "always");
	m = map_anon(p, 0, len + 2 * MiB, RW, 0);
	a = (m + 2 * MiB - 1) & ~(2 * MiB - 1);
	fill_ok(t, a, len, 0x70);
	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	assert_int_equal(sm.AnonHugePages, len / KiB);
	cold = map_rw(p, cold_len);
	fill_ok(t, cold, cold_len, 0x71);	/* fills node 0, spills to node 1 */
	hot = map_rw(p, hot_n * PG);
	fill_ok(t, hot, hot_n * PG, 0x72);
	assert_true(mmlab_move_pages(p, hot, hot_n, 1) >= 0);
	ok0 = vmstat("thp_migration_success");
	dem0 = vmstat("pgdemote_kswapd") + vmstat("pgdemote_direct");
	knob(SCAN_PERIOD, "10");
	knob(NUMA_BAL, "2");
	end = now_s() + 4;
	while (vmstat("thp_migration_success") == ok0 && now_s() < end) {
		verify_ok(t, hot, hot_n * PG, 0x72);
		usleep(2000);
	}
	knob(NUMA_BAL, "0");
	for (uint64_t off = 0; off < len; off += 2 * MiB)
		on_slow += mmlab_page_node(p, a + off) == 1 &&
			   mmlab_page_node(p, a + off + 2 * MiB - PG) == 1;
	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	print_message("thp_migration_success +%" PRIu64 " (fail %" PRIu64 "), pgdemote +%" PRIu64
		      ", THPs on the slow node %" PRIu64 ", AnonHugePages %" PRIu64 " kB\n",
		      vmstat("thp_migration_success") - ok0, vmstat("thp_migration_fail"),
		      vmstat("pgdemote_kswapd") + vmstat("pgdemote_direct") - dem0, on_slow,
		      sm.AnonHugePages);
	assert_true(vmstat("thp_migration_success") - ok0 > 0);
	assert_true(vmstat("pgdemote_kswapd") + vmstat("pgdemote_direct") - dem0 >=
		    512 * (vmstat("thp_migration_success") - ok0));
	assert_true(on_slow > 0);
	verify_ok(t, a, len, 0x70);
	verify_ok(t, cold, cold_len, 0x71);
	assert_int_equal(mmlab_exit(p), 0);
}

/* ---- migration racing with accesses ---- */

struct race {
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t a, n;
	double end;
	atomic_bool stop;
	unsigned long moves, moved, rounds, bad;
	char why[160];
};

static void *mover(void *arg)
{
	struct race *r = arg;
	int node = 1;

	while (!atomic_load(&r->stop) && now_s() < r->end) {
		long m = mmlab_move_pages(r->p, r->a, r->n, node);

		if (m < 0) {
			snprintf(r->why, sizeof(r->why), "move_pages: %ld", m);
			r->bad++;
			break;
		}
		r->moved += (unsigned long)m;
		r->moves++;
		node ^= 1;
	}
	atomic_store(&r->stop, true);
	return NULL;
}

/* The checker writes a round number into word 1 of each page and reads it
 * back, and checks the fill pattern in the rest of the page. */
static void *checker(void *arg)
{
	struct race *r = arg;
	uint64_t round = 0, fa, v, bad;
	int ret;

	/* two rounds at least: a thread the host starts late (2 cores,
	 * sanitizers) still checks while the mover runs */
	while (!atomic_load(&r->stop) && (now_s() < r->end || round < 2)) {
		round++;
		for (uint64_t i = 0; i < r->n && !r->bad; i++) {
			uint64_t pa = r->a + i * PG;

			v = (round << 16) | i;
			ret = mmlab_write(r->t, pa + 8, &v, 8, &fa);
			if (!ret)
				ret = mmlab_read(r->t, pa + 8, &v, 8, &fa);
			if (ret || v != ((round << 16) | i)) {
				snprintf(r->why, sizeof(r->why),
					 "page %" PRIu64 " round %" PRIu64 ": ret %d, read %#" PRIx64,
					 i, round, ret, v);
				r->bad++;
			}
		}
		/* the rest of each page: the fill pattern, untouched */
		for (uint64_t i = 0; i < r->n && !r->bad && (round & 7) == 0; i++) {
			ret = mmlab_verify(r->t, r->a + i * PG + 16, PG - 16, 0x80, &bad, &fa);
			if (ret || bad != UINT64_MAX) {
				snprintf(r->why, sizeof(r->why), "verify page %" PRIu64
					 ": ret %d bad %#" PRIx64, i, ret, bad);
				r->bad++;
			}
		}
		if (r->bad)
			break;
	}
	r->rounds = round;
	atomic_store(&r->stop, true);
	return NULL;
}

static void t_migrate_while_accessing(void **state)
{
	struct race r;
	struct mmlab_task *t2;
	pthread_t th[3];
	struct race r2;
	double secs = (double)env_u64("MMLAB_STRESS_SECONDS", MMLAB_STRESS_DEFAULT_SECONDS);
	uint64_t i, first_word_seed = 0x80;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.p = spawn();
	r.n = 64;
	r.a = map_rw(r.p, r.n * PG);
	fill_ok(mmlab_main_task(r.p), r.a, r.n * PG, first_word_seed);
	r.t = task_on(r.p, 1);
	t2 = task_on(r.p, 2);
	r.end = now_s() + (secs < 6 ? secs / 2 : 3);
	atomic_init(&r.stop, false);
	/* a second checker on CPU 2 over its own half: TLB entries on two
	 * CPUs besides the mover's */
	memcpy(&r2, &r, sizeof(r));
	r.n = 32;
	r2.t = t2;
	r2.a = r.a + 32 * PG;
	r2.n = 32;
	/* the mover moves all 64 pages */
	{
		struct race rm = r;

		rm.n = 64;
		atomic_init(&rm.stop, false);
		assert_int_equal(pthread_create(&th[0], NULL, mover, &rm), 0);
		assert_int_equal(pthread_create(&th[1], NULL, checker, &r), 0);
		assert_int_equal(pthread_create(&th[2], NULL, checker, &r2), 0);
		for (i = 0; i < 3; i++)
			pthread_join(th[i], NULL);
		print_message("migration race: %lu move_pages calls, %lu pages moved, "
			      "checker rounds %lu + %lu, remote flushes received %" PRIu64 "\n",
			      rm.moves, rm.moved, r.rounds, r2.rounds,
			      vmstat("nr_tlb_remote_flush_received"));
		if (rm.bad)
			fail_msg("mover: %s", rm.why);
		assert_true(rm.moved > 64);
	}
	if (r.bad)
		fail_msg("checker cpu 1: %s", r.why);
	if (r2.bad)
		fail_msg("checker cpu 2: %s", r2.why);
	assert_true(r.rounds > 1 && r2.rounds > 1);
	assert_int_equal(vmstat("stale_tlb_reports"), 0);
	assert_int_equal(mmlab_exit(r.p), 0);
}

/*
 * A shmem page moved (move_pages through one mapping) while a second
 * mapping of the same file faults it in: the fault finds the page cache
 * slot either on the old folio (which the move then leaves alone) or on the
 * new one, which it must not map before its data is there.  In the kernel
 * the fault takes the folio lock, which the move holds on both folios.
 */
struct shmem_race {
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t a, b, n;
	double end;
	atomic_bool stop;
	unsigned long rounds, bad;
	char why[160];
};

static void *shmem_refaulter(void *arg)
{
	struct shmem_race *r = arg;
	uint64_t fa = 0, bad = 0;
	int ret;

	while (!atomic_load(&r->stop) && now_s() < r->end && !r->bad) {
		ret = mmlab_madvise(r->t, r->b, r->n * PG, MADV_DONTNEED);
		for (uint64_t i = 0; !ret && i < r->n && !r->bad; i++) {
			ret = mmlab_verify(r->t, r->b + i * PG, PG, 0x31, &bad, &fa);
			if (!ret && bad != UINT64_MAX) {
				snprintf(r->why, sizeof(r->why), "round %lu page %" PRIu64
					 ": mismatch at %#" PRIx64, r->rounds, i, bad);
				r->bad++;
			}
		}
		if (ret && !r->bad) {
			snprintf(r->why, sizeof(r->why), "round %lu: ret %d", r->rounds, ret);
			r->bad++;
		}
		r->rounds++;
	}
	atomic_store(&r->stop, true);
	return NULL;
}

static void t_move_shmem_while_faulting(void **state)
{
	double secs = (double)env_u64("MMLAB_STRESS_SECONDS", MMLAB_STRESS_DEFAULT_SECONDS);
	struct shmem_race r;
	struct race rm;
	pthread_t th[2];
	uint64_t fa = 0;
	int fd;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&rm, 0, sizeof(rm));
	r.p = spawn();
	r.n = 32;
	fd = mmlab_memfd(r.p, "moved", r.n * PG);
	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(mmlab_main_task(r.p), 0, r.n * PG, RW, MAP_SHARED, fd, 0,
				    &r.a), 0);
	assert_int_equal(mmlab_mmap(mmlab_main_task(r.p), 0, r.n * PG, RW, MAP_SHARED, fd, 0,
				    &r.b), 0);
	/* the pattern depends on the address: written and checked through b */
	fill_ok(mmlab_main_task(r.p), r.b, r.n * PG, 0x31);
	assert_int_equal(mmlab_touch(mmlab_main_task(r.p), r.a, r.n * PG, false, &fa), 0);
	r.t = task_on(r.p, 1);
	r.end = now_s() + (secs < 6 ? secs / 2 : 3);
	rm.p = r.p;
	rm.a = r.a;
	rm.n = r.n;
	rm.end = r.end;
	assert_int_equal(pthread_create(&th[0], NULL, mover, &rm), 0);
	assert_int_equal(pthread_create(&th[1], NULL, shmem_refaulter, &r), 0);
	pthread_join(th[1], NULL);
	atomic_store(&rm.stop, true);
	pthread_join(th[0], NULL);
	print_message("shmem move race: %lu move_pages calls, %lu pages moved, %lu rounds\n",
		      rm.moves, rm.moved, r.rounds);
	if (r.bad)
		fail_msg("refaulter: %s", r.why);
	if (rm.bad)
		fail_msg("mover: %s", rm.why);
	assert_true(rm.moved > r.n && r.rounds > 1);
	verify_ok(mmlab_main_task(r.p), r.b, r.n * PG, 0x31);
	assert_int_equal(vmstat("stale_tlb_reports"), 0);
	assert_int_equal(mmlab_exit(r.p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_move_pages, setup_tiers, teardown),
		cmocka_unit_test_setup_teardown(t_move_pages_batched, setup_tiers, teardown),
		cmocka_unit_test_setup_teardown(t_move_shared, setup_tiers, teardown),
		cmocka_unit_test_setup_teardown(t_promotion, setup_tiers, teardown),
		cmocka_unit_test_setup_teardown(t_no_promotion_when_off, setup_tiers, teardown),
		cmocka_unit_test_setup_teardown(t_promotion_demotes_cold, setup_tiers, teardown),
		cmocka_unit_test(t_demote_under_pressure),
		cmocka_unit_test(t_no_demotion_when_off),
		cmocka_unit_test_setup_teardown(t_demote_thp_whole, setup_tiers, teardown),
		cmocka_unit_test_setup_teardown(t_migrate_while_accessing, setup_tiers, teardown),
		cmocka_unit_test_setup_teardown(t_move_shmem_while_faulting, setup_tiers, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
