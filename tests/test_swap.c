/*
 * test_swap.c - reclaim to swap, swap-in, and the madvise hints that feed
 * reclaim (MADV_PAGEOUT, MADV_COLD, MADV_FREE).
 *
 * Kernel behaviour (6.18, checked on the host where a scenario says so):
 * - MADV_PAGEOUT of private anonymous pages writes them to swap (pswpout)
 *   and leaves swap PTEs: pagemap PM_SWAP with the area's type in bits 0-4
 *   and the slot offset in bits 5-54, not present; VmSwap and smaps Swap
 *   count them.
 * - Zero-filled pages are not written (swpout_zero), a swap PTE all the same;
 *   they read back as zeroes (swpin_zero when read from the slot).
 * - The folio stays in the swap cache after MADV_PAGEOUT (its write "in
 *   flight"), so an access right after maps the same frame without pswpin.
 * - Under memory pressure kswapd/direct reclaim swap pages out, and a fault
 *   reads them back (pswpin) with their data.
 * - Swap entries are copied by fork: both processes read the data, each
 *   write is private, VmSwap counts per process.
 * - munmap and exit free the slots.
 * - shmem pages paged out: nothing in pagemap (upstream has no PM_SWAP for
 *   shmem), but smaps Swap counts them; data intact on refault.
 * - MADV_FREE: reclaim drops clean lazyfree pages (pglazyfreed, reads give
 *   zeroes); a write after MADV_FREE keeps the page and its data.
 * - MADV_COLD moves pages to the inactive list (nr_inactive_anon rises).
 */
#include "harness.h"

#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define RW	(PROT_READ | PROT_WRITE)
#define PM_SWP_TYPE(e)		((e) & 0x1f)
#define PM_SWP_OFFSET(e)	(((e) & MMLAB_PM_PFN_MASK) >> 5)

/* A machine with @node_mib of memory on one node and @swap_mib of swap. */
static void small_machine(uint64_t node_mib, uint64_t swap_mib)
{
	struct mmlab_config cfg;

	mmlab_config_default(&cfg);
	cfg.node_bytes[0] = node_mib * MiB;
	machine_up_cfg(&cfg);
	if (swap_mib)
		assert_int_equal(mmlab_swapon(swap_mib * MiB), 0);
}

static int setup_1g_swap(void **state)
{
	(void)state;
	small_machine(1024, 64);
	return 0;
}

static int setup_small_swap(void **state)
{
	(void)state;
	small_machine(16, 128);
	return 0;
}

static int setup_small_noswap(void **state)
{
	(void)state;
	small_machine(16, 0);
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

	/* 4 KiB folios: what is under test is per-page swap */
	assert_int_equal(mmlab_madvise(mmlab_main_task(p), a, len, MADV_NOHUGEPAGE), 0);
	return a;
}

static void pageout(struct mmlab_proc *p, uint64_t a, uint64_t len)
{
	assert_int_equal(mmlab_madvise(mmlab_main_task(p), a, len, MADV_PAGEOUT), 0);
}

/* Count pages of [a, a + n pages) whose pagemap entry has @bits set
 * (exactly, among PRESENT and SWAP). */
static uint64_t count_pm(struct mmlab_proc *p, uint64_t a, uint64_t n, uint64_t want)
{
	uint64_t *e = calloc(n, sizeof(*e)), i, c = 0;

	assert_non_null(e);
	assert_int_equal(mmlab_pagemap(p, a, n, e), 0);
	for (i = 0; i < n; i++)
		if ((e[i] & (MMLAB_PM_PRESENT | MMLAB_PM_SWAP)) == want)
			c++;
	free(e);
	return c;
}

/* Entries either present or swapped, from one read (kswapd moves pages
 * between the two while the test looks). */
static uint64_t count_pm_one_of(struct mmlab_proc *p, uint64_t a, uint64_t n)
{
	uint64_t *e = calloc(n, sizeof(*e)), i, c = 0;

	assert_non_null(e);
	assert_int_equal(mmlab_pagemap(p, a, n, e), 0);
	for (i = 0; i < n; i++) {
		uint64_t f = e[i] & (MMLAB_PM_PRESENT | MMLAB_PM_SWAP);

		if (f == MMLAB_PM_PRESENT || f == MMLAB_PM_SWAP)
			c++;
	}
	free(e);
	return c;
}

static uint64_t smaps_swap(struct mmlab_proc *p, uint64_t a)
{
	struct mmlab_smaps sm;

	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	return sm.Swap;
}

/* A second process that eats @len of memory: pressure on everyone else. */
static struct mmlab_proc *hog(uint64_t len, uint64_t seed)
{
	struct mmlab_proc *h = spawn();
	uint64_t a = map_rw(h, len);

	fill_ok(mmlab_main_task(h), a, len, seed);
	return h;
}

/* ------------------------------------------------------------------ */

static void t_pageout_writes(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 64;
	uint64_t a = map_rw(p, n * PG), out0 = vmstat("pswpout"), i;
	uint64_t e[64], offs[64];
	struct mmlab_status st;

	(void)state;
	fill_ok(t, a, n * PG, 0x5a5a);
	pageout(p, a, n * PG);
	assert_int_equal(vmstat("pswpout") - out0, n);
	assert_int_equal(mmlab_pagemap(p, a, n, e), 0);
	for (i = 0; i < n; i++) {
		if ((e[i] & (MMLAB_PM_PRESENT | MMLAB_PM_SWAP)) != MMLAB_PM_SWAP)
			fail_msg("page %" PRIu64 ": pagemap %#" PRIx64 ", want swap only", i, e[i]);
		assert_int_equal(PM_SWP_TYPE(e[i]), 0);	/* the first area */
		offs[i] = PM_SWP_OFFSET(e[i]);
		assert_true(offs[i] >= 1);		/* slot 0 is the header */
		assert_true(offs[i] < 64 * MiB / PG);
	}
	/* every page has a slot of its own */
	for (i = 0; i < n; i++)
		for (uint64_t j = i + 1; j < n; j++)
			if (offs[i] == offs[j])
				fail_msg("pages %" PRIu64 " and %" PRIu64 " share slot %" PRIu64,
					 i, j, offs[i]);
	st = status_of(p);
	assert_int_equal(st.VmSwap, n * 4);
	assert_int_equal(smaps_swap(p, a), n * 4);
	verify_ok(t, a, n * PG, 0x5a5a);
	assert_int_equal(count_pm(p, a, n, MMLAB_PM_PRESENT), n);
	assert_int_equal(status_of(p).VmSwap, 0);
	assert_int_equal(smaps_swap(p, a), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_pageout_zero_pages(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 32;
	uint64_t a = map_rw(p, n * PG), out0, zero0, i;

	(void)state;
	/* real, written pages holding zeroes (not the shared zero page) */
	for (i = 0; i < n; i++) {
		put64(t, a + i * PG, 1);
		put64(t, a + i * PG, 0);
	}
	/* and one page with data among them */
	put64(t, a + 5 * PG + 8, 0xdeadbeef);
	out0 = vmstat("pswpout");
	zero0 = vmstat("swpout_zero");
	pageout(p, a, n * PG);
	assert_int_equal(vmstat("pswpout") - out0, 1);
	assert_int_equal(vmstat("swpout_zero") - zero0, n - 1);
	assert_int_equal(count_pm(p, a, n, MMLAB_PM_SWAP), n);
	assert_int_equal(status_of(p).VmSwap, n * 4);
	zero_ok(t, a, 5 * PG);
	assert_int_equal(get64(t, a + 5 * PG + 8), 0xdeadbeef);
	zero_ok(t, a + 6 * PG, (n - 6) * PG);
	assert_int_equal(mmlab_exit(p), 0);
}

/* MADV_PAGEOUT leaves the folio in the swap cache: an access right after
 * maps the same frame and reads nothing from the device. */
static void t_pageout_swapcache_refault(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 16;
	uint64_t a = map_rw(p, n * PG), pfn[16], in0, i;

	(void)state;
	fill_ok(t, a, n * PG, 77);
	for (i = 0; i < n; i++)
		pfn[i] = pfn_of(pm1(p, a + i * PG));
	pageout(p, a, n * PG);
	assert_int_equal(count_pm(p, a, n, MMLAB_PM_SWAP), n);
	in0 = vmstat("pswpin");
	verify_ok(t, a, n * PG, 77);
	assert_int_equal(vmstat("pswpin"), in0);
	for (i = 0; i < n; i++)
		assert_int_equal(pfn_of(pm1(p, a + i * PG)), pfn[i]);
	assert_int_equal(mmlab_exit(p), 0);
}

/* Under pressure (16 MiB machine, 40 MiB of data): reclaim writes pages
 * out, faults read them back in. */
static void t_pressure_swapin(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t len = 40 * MiB;
	uint64_t a = map_rw(p, len), in0, out0, steal0;
	struct mmlab_status st, st0 = status_of(p);

	(void)state;
	out0 = vmstat("pswpout");
	steal0 = vmstat("pgsteal_kswapd") + vmstat("pgsteal_direct");
	fill_ok(t, a, len, 0xabc);
	assert_true(vmstat("pswpout") - out0 >= (len - 16 * MiB) / PG);
	assert_true(vmstat("pgsteal_kswapd") + vmstat("pgsteal_direct") - steal0 > 0);
	st = status_of(p);
	assert_true(st.VmSwap > 0);
	/* every page is either mapped or in swap (kswapd may still be at
	 * work: the counters are not read at one instant, the entries are) */
	assert_true(st.VmSwap + st.RssAnon <= len / KiB + st0.RssAnon + st0.VmSwap + 4);
	assert_int_equal(count_pm_one_of(p, a, len / PG), len / PG);
	in0 = vmstat("pswpin");
	verify_ok(t, a, len, 0xabc);
	assert_true(vmstat("pswpin") - in0 >= (len - 16 * MiB) / PG);
	/* a second pass too: pages read in were written out again */
	verify_ok(t, a, len, 0xabc);
	assert_int_equal(mmlab_exit(p), 0);
}

/* Swap entries shared by fork: both read the data (from the device, after
 * pressure has emptied the swap cache), writes are private, VmSwap per
 * process. */
static void t_fork_shares_swap(void **state)
{
	struct mmlab_proc *p = spawn(), *c, *h;
	struct mmlab_task *t = mmlab_main_task(p), *ct;
	const uint64_t n = 256;
	uint64_t a = map_rw(p, n * PG), e[4], ce[4], in0;

	(void)state;
	fill_ok(t, a, n * PG, 0x1111);
	pageout(p, a, n * PG);
	assert_int_equal(count_pm(p, a, n, MMLAB_PM_SWAP), n);
	assert_int_equal(mmlab_fork(p, &c), 0);
	ct = mmlab_main_task(c);
	assert_int_equal(count_pm(c, a, n, MMLAB_PM_SWAP), n);
	/* the same slots in both */
	assert_int_equal(mmlab_pagemap(p, a, 4, e), 0);
	assert_int_equal(mmlab_pagemap(c, a, 4, ce), 0);
	assert_memory_equal(e, ce, sizeof(e));
	assert_int_equal(status_of(p).VmSwap, n * 4);
	assert_int_equal(status_of(c).VmSwap, n * 4);

	/* push the swap cache out: a hog bigger than the machine */
	h = hog(24 * MiB, 9);
	assert_int_equal(mmlab_exit(h), 0);
	in0 = vmstat("pswpin");
	verify_ok(ct, a, n * PG, 0x1111);
	assert_true(vmstat("pswpin") > in0);
	/* (the hog may have pushed the stack pages out: look at the VMA) */
	assert_int_equal(smaps_swap(c, a), 0);
	/* the parent still has its swap entries */
	assert_int_equal(smaps_swap(p, a), n * 4);
	/* the child writes: private */
	fill_ok(ct, a, n / 2 * PG, 0x2222);
	verify_ok(t, a, n * PG, 0x1111);
	verify_ok(ct, a, n / 2 * PG, 0x2222);
	verify_ok(ct, a + n / 2 * PG, n / 2 * PG, 0x1111);
	/* and the parent writes: private too */
	pageout(p, a, n * PG);
	fill_ok(t, a + n / 2 * PG, n / 2 * PG, 0x3333);
	verify_ok(ct, a + n / 2 * PG, n / 2 * PG, 0x1111);
	verify_ok(t, a, n / 2 * PG, 0x1111);
	verify_ok(t, a + n / 2 * PG, n / 2 * PG, 0x3333);
	assert_int_equal(mmlab_exit(c), 0);
	verify_ok(t, a, n / 2 * PG, 0x1111);
	assert_int_equal(mmlab_exit(p), 0);
}

/* munmap and exit give the slots back: with a 4 MiB area (1023 usable
 * slots) the same 3 MiB can be paged out again and again. */
static void t_slots_freed(void **state)
{
	struct mmlab_proc *p;
	const uint64_t len = 3 * MiB, n = len / PG;
	uint64_t a;
	int round;

	(void)state;
	small_machine(1024, 4);
	for (round = 0; round < 6; round++) {
		p = spawn();
		a = map_rw(p, len);
		fill_ok(mmlab_main_task(p), a, len, round + 1);
		pageout(p, a, len);
		if (count_pm(p, a, n, MMLAB_PM_SWAP) != n)
			fail_msg("round %d: %" PRIu64 " of %" PRIu64 " pages swapped", round,
				 count_pm(p, a, n, MMLAB_PM_SWAP), n);
		if (round & 1) {
			assert_int_equal(mmlab_munmap(mmlab_main_task(p), a, len), 0);
			assert_int_equal(status_of(p).VmSwap, 0);
		} else {
			/* a fork child holds the entries too: both must go */
			struct mmlab_proc *c;

			assert_int_equal(mmlab_fork(p, &c), 0);
			assert_int_equal(mmlab_exit(c), 0);
		}
		assert_int_equal(mmlab_exit(p), 0);
	}
	machine_down();
}

/* shmem pageout: pagemap shows nothing, smaps Swap counts it. */
static void t_shmem_pageout(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 32;
	int fd = mmlab_memfd(p, "swap", n * PG);
	uint64_t a = 0, out0, in0, e[32], i;
	struct mmlab_status st;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(t, 0, n * PG, RW, MAP_SHARED, fd, 0, &a), 0);
	fill_ok(t, a, n * PG, 0x5e);
	assert_int_equal(status_of(p).RssShmem, n * 4);
	out0 = vmstat("pswpout");
	pageout(p, a, n * PG);
	assert_int_equal(vmstat("pswpout") - out0, n);
	assert_int_equal(mmlab_pagemap(p, a, n, e), 0);
	for (i = 0; i < n; i++)
		if (e[i])
			fail_msg("shmem page %" PRIu64 " paged out: pagemap %#" PRIx64
				 ", want 0", i, e[i]);
	assert_int_equal(smaps_swap(p, a), n * 4);
	st = status_of(p);
	assert_int_equal(st.RssShmem, 0);
	/* VmSwap of the kernel counts swap PTEs only (MM_SWAPENTS) */
	assert_int_equal(st.VmSwap, 0);

	/* empty the swap cache, then read back from the device */
	assert_int_equal(mmlab_exit(hog(24 * MiB, 3)), 0);
	in0 = vmstat("pswpin");
	verify_ok(t, a, n * PG, 0x5e);
	assert_int_equal(vmstat("pswpin") - in0, n);
	assert_int_equal(count_pm(p, a, n, MMLAB_PM_PRESENT), n);
	assert_int_equal(smaps_swap(p, a), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* shmem through memory pressure: data read back from the device. */
static void t_shmem_pressure(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t len = 24 * MiB;
	int fd = mmlab_memfd(p, "big", len);
	uint64_t a = 0, in0;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(t, 0, len, RW, MAP_SHARED, fd, 0, &a), 0);
	fill_ok(t, a, len, 0x77);
	assert_true(smaps_swap(p, a) > 0);
	in0 = vmstat("pswpin");
	verify_ok(t, a, len, 0x77);
	assert_true(vmstat("pswpin") > in0);
	assert_int_equal(mmlab_close(p, fd), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* MADV_FREE then MADV_PAGEOUT: clean lazyfree pages are dropped. */
static void t_free_dropped_by_pageout(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 32;
	uint64_t a = map_rw(p, n * PG), lf0, lfd0, out0;

	(void)state;
	fill_ok(t, a, n * PG, 0xf4ee);
	lf0 = vmstat("pglazyfree");
	lfd0 = vmstat("pglazyfreed");
	out0 = vmstat("pswpout");
	assert_int_equal(mmlab_madvise(t, a, n * PG, MADV_FREE), 0);
	/* counted as the CPU's lru_lazyfree batch of 31 drains: the 32nd
	 * waits for the next drain */
	assert_int_equal(vmstat("pglazyfree") - lf0, 31);
	/* still there until reclaim comes */
	verify_ok(t, a, PG, 0xf4ee);
	/* that read made page 0 young, not dirty: still lazyfree */
	pageout(p, a, n * PG);
	assert_int_equal(vmstat("pglazyfree") - lf0, n);	/* pageout drained it */
	assert_int_equal(vmstat("pglazyfreed") - lfd0, n);
	assert_int_equal(vmstat("pswpout"), out0);
	assert_int_equal(count_pm(p, a, n, 0), n);	/* none */
	zero_ok(t, a, n * PG);
	assert_int_equal(status_of(p).VmSwap, 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A write after MADV_FREE keeps the page (and every byte of it). */
static void t_free_write_keeps(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 16;
	uint64_t a = map_rw(p, n * PG), lfd0, i;

	(void)state;
	fill_ok(t, a, n * PG, 0xbeef);
	assert_int_equal(mmlab_madvise(t, a, n * PG, MADV_FREE), 0);
	/* rewrite the first word of the odd pages with what it held */
	for (i = 1; i < n; i += 2)
		put64(t, a + i * PG, mmlab_splitmix64(0xbeef ^ ((a + i * PG) >> 3)));
	lfd0 = vmstat("pglazyfreed");
	pageout(p, a, n * PG);
	assert_int_equal(vmstat("pglazyfreed") - lfd0, n / 2);
	for (i = 0; i < n; i++) {
		if (i & 1)
			verify_ok(t, a + i * PG, PG, 0xbeef);
		else
			zero_ok(t, a + i * PG, PG);
	}
	/* kept pages went to swap (they are dirty anonymous pages again) */
	assert_int_equal(mmlab_exit(p), 0);
}

/* MADV_FREE with no swap at all: memory pressure still drops clean
 * lazyfree pages (they sit on the file LRU), and keeps written ones. */
static void t_free_dropped_by_pressure(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t len = 8 * MiB, n = len / PG;
	uint64_t a = map_rw(p, len), lfd0, b, blen = 10 * MiB, i, gone = 0;
	struct mmlab_proc *q = spawn();

	(void)state;
	fill_ok(t, a, len, 0xfee);
	assert_int_equal(mmlab_madvise(t, a, len, MADV_FREE), 0);
	put64(t, a + 3 * PG, 42);	/* keep this one */
	lfd0 = vmstat("pglazyfreed");
	/* 8 + 10 MiB does not fit in 16 MiB without dropping lazyfree pages */
	b = map_rw(q, blen);
	fill_ok(mmlab_main_task(q), b, blen, 0x9);
	assert_true(vmstat("pglazyfreed") > lfd0);
	verify_ok(mmlab_main_task(q), b, blen, 0x9);
	assert_int_equal(get64(t, a + 3 * PG), 42);
	verify_ok(t, a + 3 * PG + 8, PG - 8, 0xfee);
	for (i = 0; i < n; i++) {
		uint64_t v = get64(t, a + i * PG + 8);

		if (v == 0)
			gone++;
		else if (v != mmlab_splitmix64(0xfee ^ ((a + i * PG + 8) >> 3)))
			fail_msg("page %" PRIu64 ": neither its data nor zero", i);
	}
	assert_true(gone > 0);
	assert_int_equal(mmlab_exit(q), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* MADV_COLD moves active pages to the inactive list. */
static void t_cold_deactivates(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 256;
	uint64_t a = map_rw(p, n * PG), in0, act0, deact0;

	(void)state;
	fill_ok(t, a, n * PG, 5);
	/* make them active: reclaim would rotate referenced pages; a second
	 * MADV_COLD after they are active is what is measured */
	in0 = vmstat("nr_inactive_anon");
	act0 = vmstat("nr_active_anon");
	deact0 = vmstat("pgdeactivate");
	assert_int_equal(mmlab_madvise(t, a, n * PG, MADV_COLD), 0);
	print_message("cold: inactive %" PRIu64 " -> %" PRIu64 ", active %" PRIu64
		      " -> %" PRIu64 ", pgdeactivate +%" PRIu64 "\n", in0,
		      vmstat("nr_inactive_anon"), act0, vmstat("nr_active_anon"),
		      vmstat("pgdeactivate") - deact0);
	/* all 256 pages are inactive now (they may have been already) */
	assert_true(vmstat("nr_inactive_anon") >= n);
	assert_true(vmstat("nr_inactive_anon") >= in0);
	/* MADV_COLD does not swap or drop anything */
	verify_ok(t, a, n * PG, 5);
	assert_int_equal(count_pm(p, a, n, MMLAB_PM_PRESENT), n);
	assert_int_equal(mmlab_exit(p), 0);
}

/* Pages that were activated (found referenced by reclaim) go back to the
 * inactive list with MADV_COLD: nr_inactive_anon rises. */
static void t_cold_from_active(void **state)
{
	struct mmlab_proc *p = spawn(), *h;
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 512;
	uint64_t a = map_rw(p, n * PG), in0, act0;

	(void)state;
	fill_ok(t, a, n * PG, 6);
	/* pressure while they are referenced: reclaim activates them */
	h = hog(12 * MiB, 1);
	verify_ok(t, a, n * PG, 6);
	assert_int_equal(mmlab_exit(h), 0);
	verify_ok(t, a, n * PG, 6);
	h = hog(10 * MiB, 2);
	act0 = vmstat("nr_active_anon");
	in0 = vmstat("nr_inactive_anon");
	print_message("before cold: active %" PRIu64 " inactive %" PRIu64 "\n", act0, in0);
	assert_int_equal(mmlab_madvise(t, a, n * PG, MADV_COLD), 0);
	print_message("after cold: active %" PRIu64 " inactive %" PRIu64 "\n",
		      vmstat("nr_active_anon"), vmstat("nr_inactive_anon"));
	if (act0 > 0) {
		assert_true(vmstat("nr_inactive_anon") > in0);
		assert_true(vmstat("nr_active_anon") < act0);
	}
	verify_ok(t, a, n * PG, 6);
	assert_int_equal(mmlab_exit(h), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* memory.reclaim: proactive reclaim swaps anonymous memory out whatever the
 * watermarks, reports EAGAIN when nothing is left to reclaim, and refuses
 * a malformed request. */
static void t_memory_reclaim(void **state)
{
	static const char *const bad[] = { "", "abc", "-1", "1M foo", "1M swappiness=201",
					   "1M swappiness=x", "1M swappiness=", "1X" };
	const char *knob = "/sys/fs/cgroup/memory.reclaim";
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_rw(p, 8 * MiB), steal0, out0;
	char buf[8];

	(void)state;
	fill_ok(t, a, 8 * MiB, 0x3c3c);
	steal0 = vmstat("pgsteal_proactive");
	out0 = vmstat("pswpout");
	/* swappiness=0 leaves anonymous memory alone, and there is no file */
	assert_int_equal(mmlab_knob_set(knob, "1M swappiness=0"), -EAGAIN);
	assert_int_equal(vmstat("pgsteal_proactive"), steal0);
	assert_int_equal(mmlab_knob_set(knob, "4M\n"), 0);
	assert_true(vmstat("pgsteal_proactive") - steal0 >= 4 * MiB / PG);
	assert_true(vmstat("pswpout") - out0 >= 4 * MiB / PG);
	assert_true(status_of(p).VmSwap >= 4 * 1024);
	assert_int_equal(mmlab_knob_set(knob, "1m swappiness=max"), 0);
	verify_ok(t, a, 8 * MiB, 0x3c3c);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (mmlab_knob_set(knob, bad[i]) != -EINVAL)
			fail_msg("memory.reclaim took \"%s\"", bad[i]);
	assert_int_equal(mmlab_knob_get(knob, buf, sizeof(buf)), -EACCES);
	assert_int_equal(mmlab_exit(p), 0);
	mmlab_quiesce();
	assert_int_equal(mmlab_knob_set(knob, "0"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_pageout_writes, setup_1g_swap, teardown),
		cmocka_unit_test_setup_teardown(t_pageout_zero_pages, setup_1g_swap, teardown),
		cmocka_unit_test_setup_teardown(t_pageout_swapcache_refault, setup_1g_swap, teardown),
		cmocka_unit_test_setup_teardown(t_pressure_swapin, setup_small_swap, teardown),
		cmocka_unit_test_setup_teardown(t_fork_shares_swap, setup_small_swap, teardown),
		cmocka_unit_test(t_slots_freed),
		cmocka_unit_test_setup_teardown(t_shmem_pageout, setup_small_swap, teardown),
		cmocka_unit_test_setup_teardown(t_shmem_pressure, setup_small_swap, teardown),
		cmocka_unit_test_setup_teardown(t_free_dropped_by_pageout, setup_1g_swap, teardown),
		cmocka_unit_test_setup_teardown(t_free_write_keeps, setup_1g_swap, teardown),
		cmocka_unit_test_setup_teardown(t_free_dropped_by_pressure, setup_small_noswap, teardown),
		cmocka_unit_test_setup_teardown(t_cold_deactivates, setup_1g_swap, teardown),
		cmocka_unit_test_setup_teardown(t_cold_from_active, setup_small_swap, teardown),
		cmocka_unit_test_setup_teardown(t_memory_reclaim, setup_1g_swap, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
