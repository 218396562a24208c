/*
 * test_split_order.c - splitting anonymous THPs through
 * /sys/kernel/debug/split_huge_pages (the model's knob of that path):
 * a PMD THP split to each order 0, 2..8 leaves folios of that order
 * (kpageflags heads and tails, per-size nr_anon), the data, and after
 * munmap nothing (free pages, nr_anon); a 64 KiB mTHP split to order 2;
 * a PTE-mapped THP split from a
 * range that covers one of its pages only; a split after fork (the folio
 * mapped by two processes, each page CoW-shared afterwards); and the
 * writes the kernel refuses or ignores (bad text, unknown pid, order 1,
 * an order not below the folio's), and "1" (every THP of the machine); zero-filled pages mapped by the zero
 * page after a split to small pages (not when the mm forbids it, the VMA
 * is mlocked, or the split is to order 2); splits racing a thread that
 * writes the THPs (run under MMLAB_SCHED for one deterministic schedule).  Model tests: machine_up's stale-TLB
 * detector is on.
 */
#include <pthread.h>

#include "thp_util.h"

#define SPLIT		"/sys/kernel/debug/split_huge_pages"
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_THP			22

static int split(struct mmlab_proc *p, uint64_t a, uint64_t end, int order)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "%d,0x%" PRIx64 ",0x%" PRIx64 ",%d", mmlab_pid(p), a, end,
		 order);
	return mmlab_knob_set(SPLIT, buf);
}

/* Check that [a, a + n pages) is folios of @order (0: small pages). */
static void folios_of_order(struct mmlab_proc *p, uint64_t a, unsigned int n, unsigned int order)
{
	uint64_t pm[NR_PMD_PAGES], kpf;

	assert_int_equal(mmlab_pagemap(p, a, n, pm), 0);
	for (unsigned int i = 0; i < n; i++) {
		bool head = order && !(i & ((1U << order) - 1));

		assert_int_equal(mmlab_kpageflags(pfn_of(pm[i]), 1, &kpf), 0);
		if (!!(kpf & (1ULL << KPF_COMPOUND_HEAD)) != head ||
		    !!(kpf & (1ULL << KPF_COMPOUND_TAIL)) != (order && !head) ||
		    !!(kpf & (1ULL << KPF_THP)) != !!order)
			fail_msg("page %u of an order-%u split: kpageflags %#" PRIx64, i, order, kpf);
		if (order && !head && pfn_of(pm[i]) != pfn_of(pm[i - 1]) + 1)
			fail_msg("page %u: not contiguous with its folio", i);
	}
}

/* The THP at @a reads zero but for one byte 1 at page @page. */
static void verify_zero_but(struct mmlab_task *t, uint64_t a, unsigned int page)
{
	static char buf[PG];

	for (unsigned int i = 0; i < NR_PMD_PAGES; i++) {
		assert_int_equal(mmlab_read(t, a + i * PG, buf, PG, NULL), 0);
		for (unsigned int j = 0; j < PG; j++)
			if (buf[j] != (i == page && !j))
				fail_msg("page %u byte %u reads %d", i, j, buf[j]);
	}
}

static void t_split_to_each_order(void **state)
{
	static const unsigned int orders[] = { 0, 2, 3, 4, 5, 6, 7, 8 };
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);

	(void)state;
	for (unsigned int k = 0; k < ARRAY_SIZE(orders); k++) {
		unsigned int o = orders[k], kb = 4U << o;
		uint64_t free0 = (mmlab_quiesce(), vmstat("nr_free_pages"));
		uint64_t sp0 = vmstat("thp_split_page"), na = o >= 2 ? size_stat(kb, "nr_anon") : 0;
		uint64_t a = thp_region(p, (int)k, PMD, MADV_HUGEPAGE_);

		fill_ok(t, a, PMD, k + 1);
		assert_int_equal(thp_kb(p, a), 2048);
		assert_int_equal(size_stat(2048, "nr_anon"), 1);
		assert_int_equal(split(p, a, a + PMD, (int)o), 0);
		assert_int_equal(thp_kb(p, a), 0);
		assert_int_equal(vmstat("thp_split_page"), sp0 + 1);
		assert_int_equal(size_stat(2048, "nr_anon"), 0);
		if (o >= 2)
			assert_int_equal(size_stat(kb, "nr_anon"), na + (NR_PMD_PAGES >> o));
		folios_of_order(p, a, NR_PMD_PAGES, o);
		verify_ok(t, a, PMD, k + 1);
		/* the split folios are whole again after a write each */
		fill_ok(t, a, PMD, k + 100);
		verify_ok(t, a, PMD, k + 100);
		assert_int_equal(mmlab_munmap(t, a, PMD), 0);
		if (o >= 2)
			assert_int_equal(size_stat(kb, "nr_anon"), na);
		mmlab_quiesce();
		if (vmstat_settle("nr_free_pages", free0) != free0)
			fail_msg("order %u: nr_free_pages %" PRIu64 " after munmap, %" PRIu64 " before",
				 o, vmstat("nr_free_pages"), free0);
	}
	mmlab_exit(p);
}

/* An mTHP (64 KiB, order 4) split to order 2: four folios of 16 KiB; the
 * PMD-sized counters do not move, the per-size ones do. */
static void t_split_mthp(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t sp0 = vmstat("thp_split_page"), a;

	(void)state;
	thp_size(64, "always");
	a = thp_region(p, 0, PMD, 0);
	fill_ok(t, a, 64 * KiB, 11);
	assert_int_equal(size_stat(64, "nr_anon"), 1);
	folios_of_order(p, a, 16, 4);
	assert_int_equal(split(p, a, a + 64 * KiB, 2), 0);
	folios_of_order(p, a, 16, 2);
	assert_int_equal(size_stat(64, "nr_anon"), 0);
	assert_int_equal(size_stat(64, "split"), 1);
	assert_int_equal(size_stat(16, "nr_anon"), 4);
	assert_int_equal(vmstat("thp_split_page"), sp0);
	verify_ok(t, a, 64 * KiB, 11);
	mmlab_exit(p);
	assert_int_equal(size_stat(16, "nr_anon"), 0);
}

/* One page of the THP moved away by mremap: a split of that page alone
 * splits the whole folio, in both VMAs. */
static void t_split_pte_mapped(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = thp_region(p, 0, PMD, MADV_HUGEPAGE_), moved = THP_BASE + 3 * GiB, got = 0;
	uint64_t pm;

	(void)state;
	fill_ok(t, a, PMD, 7);
	assert_int_equal(mmlab_mremap(t, a + 5 * PG, PG, PG, 3 /* MAYMOVE|FIXED */, moved, &got), 0);
	assert_int_equal(got, moved);
	assert_int_equal(split(p, moved, moved + PG, 2), 0);
	folios_of_order(p, a, 5, 2);
	folios_of_order(p, a + 8 * PG, NR_PMD_PAGES - 8, 2);
	/* the moved page is the second page of an order-2 folio */
	assert_int_equal(mmlab_pagemap(p, moved, 1, &pm), 0);
	{
		uint64_t kpf;

		assert_int_equal(mmlab_kpageflags(pfn_of(pm), 1, &kpf), 0);
		assert_true(kpf & (1ULL << KPF_COMPOUND_TAIL));
	}
	verify_ok(t, a, 5 * PG, 7);
	verify_ok(t, a + 6 * PG, PMD - 6 * PG, 7);
	mmlab_exit(p);
}

/* After fork both processes map the THP; the split remaps both, and each
 * keeps its own data when both write afterwards. */
static void t_split_shared_after_fork(void **state)
{
	struct mmlab_proc *p = spawn(), *c = NULL;
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = thp_region(p, 0, PMD, MADV_HUGEPAGE_);

	(void)state;
	fill_ok(t, a, PMD, 3);
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(split(p, a, a + PMD, 3), 0);
	assert_int_equal(thp_kb(p, a), 0);
	assert_int_equal(thp_kb(c, a), 0);
	folios_of_order(c, a, NR_PMD_PAGES, 3);
	fill_ok(mmlab_main_task(c), a, PMD, 4);
	verify_ok(t, a, PMD, 3);
	fill_ok(t, a, PMD, 5);
	verify_ok(mmlab_main_task(c), a, PMD, 4);
	mmlab_exit(c);
	mmlab_exit(p);
}

static void t_split_refused(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = thp_region(p, 0, PMD, MADV_HUGEPAGE_);
	char buf[64];

	(void)state;
	fill_ok(mmlab_main_task(p), a, PMD, 9);
	assert_int_equal(mmlab_knob_set(SPLIT, "garbage"), -EINVAL);
	assert_int_equal(mmlab_knob_set(SPLIT, "12,0x0"), -EINVAL);
	assert_int_equal(mmlab_knob_get(SPLIT, buf, sizeof(buf)), -EACCES);
	snprintf(buf, sizeof(buf), "%d,0x0,0x1000", mmlab_pid(p) + 1000);
	assert_int_equal(mmlab_knob_set(SPLIT, buf), -ESRCH);
	/* taken, nothing split: order 1 (anonymous), orders not below 9 */
	assert_int_equal(split(p, a, a + PMD, 1), 0);
	assert_int_equal(split(p, a, a + PMD, 9), 0);
	assert_int_equal(split(p, a, a + PMD, -1), 0);
	assert_int_equal(thp_kb(p, a), 2048);
	/* "1": every THP of the machine, of every process */
	{
		struct mmlab_proc *q = spawn();
		uint64_t b = thp_region(q, 1, PMD, MADV_HUGEPAGE_);

		fill_ok(mmlab_main_task(q), b, PMD, 10);
		assert_int_equal(thp_kb(q, b), 2048);
		assert_int_equal(mmlab_knob_set(SPLIT, "1"), 0);
		assert_int_equal(thp_kb(q, b), 0);
		assert_int_equal(thp_kb(p, a), 0);
		verify_ok(mmlab_main_task(q), b, PMD, 10);
		verify_ok(mmlab_main_task(p), a, PMD, 9);
		mmlab_exit(q);
		a = thp_region(p, 2, PMD, MADV_HUGEPAGE_);
		fill_ok(mmlab_main_task(p), a, PMD, 9);
	}
	/* the range past the VMA ends the walk; the THP before it splits */
	assert_int_equal(split(p, a, a + 2 * PMD, 0), 0);
	assert_int_equal(thp_kb(p, a), 0);
	verify_ok(mmlab_main_task(p), a, PMD, 9);
	mmlab_exit(p);
}

/* A split to small pages maps the zero-filled ones by the zero page;
 * not with forbids_zeropage, nor in an mlocked VMA, nor for order 2. */
static void t_split_zero_pages(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t pm[NR_PMD_PAGES];
	static const char one = 1;

	(void)state;
	for (int k = 0; k < 4; k++) {
		uint64_t a = thp_region(p, k, PMD, MADV_HUGEPAGE_), rss0;

		knob("/sys/kernel/mm/mmlab/forbids_zeropage", k == 1 ? "1" : "0");
		if (k == 2)
			assert_int_equal(mmlab_mlock(t, a, PMD, 0), 0);
		assert_int_equal(mmlab_write(t, a + 7 * PG, &one, 1, NULL), 0);	/* page 7 not zero */
		assert_int_equal(thp_kb(p, a), 2048);
		rss0 = status_of(p).RssAnon;
		assert_int_equal(split(p, a, a + PMD, k == 3 ? 2 : 0), 0);
		assert_int_equal(mmlab_pagemap(p, a, NR_PMD_PAGES, pm), 0);
		if (k == 0) {
			assert_int_equal(rss0 - status_of(p).RssAnon, 2048 - 4);
			assert_int_equal(pfn_of(pm[0]), pfn_of(pm[511]));
			assert_int_not_equal(pfn_of(pm[7]), pfn_of(pm[0]));
			assert_int_equal(pm_count(p, a, NR_PMD_PAGES, MMLAB_PM_MMAP_EXCLUSIVE), 1);
		} else {
			assert_int_equal(status_of(p).RssAnon, rss0);
			assert_true(pm_contiguous(p, a, NR_PMD_PAGES, 1));
		}
		verify_zero_but(t, a, 7);
	}
	mmlab_exit(p);
}

struct writer {
	struct mmlab_task *t;
	uint64_t a, len;
	int rounds, ret;
};

/* Write and read back the whole range, round after round: each access
 * meets the PMD, the migration entries of a split, or the new PTEs. */
static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	uint64_t bad = 0, fa = 0;

	for (int r = 0; r < w->rounds && !w->ret; r++) {
		w->ret = mmlab_fill(w->t, w->a, w->len, 50 + r, &fa);
		if (!w->ret && mmlab_verify(w->t, w->a, w->len, 50 + r, &bad, &fa))
			w->ret = -EIO;
	}
	return NULL;
}

/* Splits (to orders 0, 2, 4, 0, ...) of four THPs while a thread of the
 * same process on CPU 1 writes and reads them: no data lost, no stale TLB
 * entry used (machine_down checks), every THP split in the end. */
static void t_split_races_writer(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t1 = NULL;
	struct writer w = { .len = 4 * PMD, .rounds = 6 };
	pthread_t th;

	(void)state;
	w.a = thp_region(p, 0, 4 * PMD, MADV_HUGEPAGE_);
	fill_ok(mmlab_main_task(p), w.a, 4 * PMD, 1);
	assert_int_equal(thp_kb(p, w.a), 4 * 2048);
	assert_int_equal(mmlab_thread(p, 1, &t1), 0);
	w.t = t1;
	assert_int_equal(mmlab_thread_create(&th, writer_fn, &w), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(split(p, w.a + i * PMD, w.a + (i + 1) * PMD, (int[]){ 0, 2, 4, 0 }[i]),
				 0);
	mmlab_thread_join(th);
	assert_int_equal(w.ret, 0);
	assert_int_equal(thp_kb(p, w.a), 0);
	verify_ok(mmlab_main_task(p), w.a, 4 * PMD, 50 + w.rounds - 1);
	mmlab_exit(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_split_to_each_order, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_split_mthp, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_split_pte_mapped, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_split_shared_after_fork, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_split_refused, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_split_zero_pages, thp_setup, teardown_machine),
		cmocka_unit_test_setup_teardown(t_split_races_writer, thp_setup, teardown_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
