/*
 * test_gup.c - GUP references and pins: pin counting (nr_foll_pin_acquired
 * / _released, one pin per page, also on a THP's pages), the unshare a
 * longterm read-only pin forces on a page shared with a child, fork copying
 * an exclusive page that may be pinned instead of sharing it (PTE-mapped
 * and PMD-mapped), reclaim leaving pinned pages mapped, and vmsplice's
 * references (the pipe reads the page as it is at read time), and
 * FOLL_FORCE writes through /proc/PID/mem (never leaving a writable PTE in
 * a read-only mapping).
 *
 * Pins go through the model's CONFIG_GUP_TEST interface
 * (mmlab_pin_longterm_test_*) and io_uring's fixed buffers.
 */
#include <stdatomic.h>
#include "thp_util.h"

#define NP	4
#define FAST	MMLAB_PIN_LONGTERM_TEST_FAST
#define WRITE	MMLAB_PIN_LONGTERM_TEST_WRITE

static uint64_t pfn_at(struct mmlab_proc *p, uint64_t a)
{
	uint64_t e = pm1(p, a);

	if (!(e & MMLAB_PM_PRESENT))
		fail_msg("%#" PRIx64 ": not present (pagemap %#" PRIx64 ")", a, e);
	return pfn_of(e);
}

static struct mmlab_proc *fork_of(struct mmlab_proc *p)
{
	struct mmlab_proc *c = NULL;

	assert_int_equal(mmlab_fork(p, &c), 0);
	return c;
}

/* NP written pages, small (nohugepage) */
static uint64_t small_pages(struct mmlab_proc *p)
{
	uint64_t a = thp_region(p, 0, NP * PG, MADV_NOHUGEPAGE_);

	for (int i = 0; i < NP; i++)
		put64(mmlab_main_task(p), a + (uint64_t)i * PG, 0x1000 + (uint64_t)i);
	return a;
}

/* Each pinned page counts one pin; unpinning releases each; a second
 * START while pins are held is refused. */
static void t_pin_counting(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = small_pages(p), acq = vmstat("nr_foll_pin_acquired");
	uint64_t rel = vmstat("nr_foll_pin_released");
	int g = mmlab_gup_test_open(p);

	(void)state;
	assert_true(g >= 0);
	assert_int_equal(mmlab_pin_longterm_test_start(mmlab_main_task(p), g, a, NP * PG, WRITE), 0);
	assert_int_equal(vmstat("nr_foll_pin_acquired") - acq, NP);
	assert_int_equal(mmlab_pin_longterm_test_start(mmlab_main_task(p), g, a, PG, 0), -EINVAL);
	assert_int_equal(mmlab_pin_longterm_test_stop(p, g), 0);
	assert_int_equal(vmstat("nr_foll_pin_released") - rel, NP);
	/* closing the file unpins what is still pinned */
	assert_int_equal(mmlab_pin_longterm_test_start(mmlab_main_task(p), g, a, 2 * PG, FAST), 0);
	assert_int_equal(mmlab_close(p, g), 0);
	assert_int_equal(vmstat("nr_foll_pin_released") - rel, NP + 2);
	assert_int_equal(vmstat("nr_foll_pin_acquired") - acq, NP + 2);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A read-only longterm pin of a page shared with a child unshares it: the
 * parent maps a copy of its own (exclusive), the child keeps the old page;
 * the parent's later write reuses the copy, and the pin sees the write. */
static void ro_pin_unshares(unsigned int flags)
{
	struct mmlab_proc *p = spawn(), *c;
	uint64_t a = small_pages(p), before, after, got[NP];
	int g = mmlab_gup_test_open(p);

	c = fork_of(p);
	before = pfn_at(p, a);
	assert_int_equal(pfn_at(c, a), before);
	assert_false(pm1(p, a) & MMLAB_PM_MMAP_EXCLUSIVE);
	assert_int_equal(mmlab_pin_longterm_test_start(mmlab_main_task(p), g, a, NP * PG, flags), 0);
	after = pfn_at(p, a);
	assert_int_not_equal(after, before);
	assert_true(pm1(p, a) & MMLAB_PM_MMAP_EXCLUSIVE);
	assert_int_equal(pfn_at(c, a), before);
	put64(mmlab_main_task(p), a, 0xfeed);
	assert_int_equal(pfn_at(p, a), after);	/* reused, not copied */
	assert_int_equal(mmlab_pin_longterm_test_read(p, g, got, sizeof(got)), 0);
	assert_int_equal(got[0], 0xfeed);
	assert_int_equal(get64(mmlab_main_task(c), a), 0x1000);
	assert_int_equal(mmlab_pin_longterm_test_stop(p, g), 0);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_ro_pin_unshares(void **state)
{
	(void)state;
	ro_pin_unshares(0);
}

static void t_ro_fast_pin_unshares(void **state)
{
	(void)state;
	ro_pin_unshares(FAST);
}

/* Fork with a pinned exclusive page: the child gets a copy at once, the
 * parent keeps its page writable (its write neither faults a copy nor
 * reaches the child); an unpinned page is shared as usual. */
static void t_fork_copies_pinned(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	uint64_t a = small_pages(p), pfn[NP];
	int g = mmlab_gup_test_open(p);

	(void)state;
	for (int i = 0; i < NP; i++)
		pfn[i] = pfn_at(p, a + (uint64_t)i * PG);
	/* pin the first two pages only */
	assert_int_equal(mmlab_pin_longterm_test_start(mmlab_main_task(p), g, a, 2 * PG, WRITE), 0);
	c = fork_of(p);
	for (int i = 0; i < NP; i++) {
		uint64_t at = a + (uint64_t)i * PG;

		assert_int_equal(pfn_at(p, at), pfn[i]);
		if (i < 2) {
			assert_int_not_equal(pfn_at(c, at), pfn[i]);
			assert_true(pm1(c, at) & MMLAB_PM_MMAP_EXCLUSIVE);
			assert_true(pm1(p, at) & MMLAB_PM_MMAP_EXCLUSIVE);
		} else {
			assert_int_equal(pfn_at(c, at), pfn[i]);
		}
		assert_int_equal(get64(mmlab_main_task(c), at), 0x1000 + (uint64_t)i);
	}
	put64(mmlab_main_task(p), a, 0xbeef);
	assert_int_equal(pfn_at(p, a), pfn[0]);
	assert_int_equal(get64(mmlab_main_task(c), a), 0x1000);
	assert_int_equal(mmlab_pin_longterm_test_stop(p, g), 0);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A PMD-mapped THP with one pinned page: fork splits the parent's PMD and
 * copies every page of the (pinned) folio for the child; the pins count
 * once per pinned page; the parent's pages and data stay. */
static void t_fork_copies_pinned_thp(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	uint64_t a = thp_region(p, 0, PMD, MADV_HUGEPAGE_), head, acq;
	struct mmlab_task *pt = mmlab_main_task(p);
	int g = mmlab_gup_test_open(p);

	(void)state;
	put64(pt, a, 1);
	assert_int_equal(thp_kb(p, a), 2048);
	head = pfn_at(p, a);
	put64(pt, a + 100 * PG, 100);
	acq = vmstat("nr_foll_pin_acquired");
	assert_int_equal(mmlab_pin_longterm_test_start(pt, g, a + 100 * PG, PG, FAST | WRITE), 0);
	assert_int_equal(vmstat("nr_foll_pin_acquired") - acq, 1);
	c = fork_of(p);
	assert_int_equal(pfn_at(p, a), head);
	assert_int_equal(pfn_at(p, a + 100 * PG), head + 100);
	assert_int_equal(thp_kb(p, a), 0);	/* PTE-mapped now */
	for (uint64_t i = 0; i < NR_PMD_PAGES; i += 73)
		assert_int_not_equal(pfn_at(c, a + i * PG), head + i);
	assert_int_equal(get64(mmlab_main_task(c), a + 100 * PG), 100);
	put64(pt, a + 100 * PG, 0xab);
	assert_int_equal(get64(mmlab_main_task(c), a + 100 * PG), 100);
	assert_int_equal(pfn_at(p, a + 100 * PG), head + 100);
	assert_int_equal(mmlab_pin_longterm_test_stop(p, g), 0);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* Reclaim leaves a pinned exclusive page mapped; unpinned, it goes. */
static void t_pageout_skips_pinned(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = small_pages(p);
	int g = mmlab_gup_test_open(p);

	(void)state;
	assert_true(mmlab_swapon(16 * MiB) >= 0);
	assert_int_equal(mmlab_pin_longterm_test_start(mmlab_main_task(p), g, a, NP * PG, 0), 0);
	assert_int_equal(madv(p, a, NP * PG, MADV_PAGEOUT_), 0);
	for (int i = 0; i < NP; i++)
		assert_true(pm1(p, a + (uint64_t)i * PG) & MMLAB_PM_PRESENT);
	assert_int_equal(mmlab_pin_longterm_test_stop(p, g), 0);
	assert_int_equal(madv(p, a, NP * PG, MADV_PAGEOUT_), 0);
	for (int i = 0; i < NP; i++)
		assert_true(pm1(p, a + (uint64_t)i * PG) & MMLAB_PM_SWAP);
	assert_int_equal(get64(mmlab_main_task(p), a + 3 * PG), 0x1003);
	assert_int_equal(mmlab_exit(p), 0);
}

/* vmsplice takes references, not pins: no unshare, so without a fork the
 * pipe reads the process's later write; after a fork the write copies
 * (the reference keeps the page from being reused) and the pipe keeps the
 * old data.  A full pipe (16 pages) says EAGAIN. */
static void t_vmsplice_references(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *pt = mmlab_main_task(p);
	uint64_t a = small_pages(p), acq = vmstat("nr_foll_pin_acquired"), v = 0;
	uint64_t big = map_anon(p, 0, 20 * PG, RW, 0);
	int fds[2];

	(void)state;
	assert_int_equal(mmlab_pipe(p, fds), 0);
	assert_int_equal(mmlab_vmsplice(pt, fds[1], a, PG), PG);
	put64(pt, a, 0x77);
	assert_int_equal(mmlab_read_fd(p, fds[0], &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 0x77);
	assert_int_equal(vmstat("nr_foll_pin_acquired"), acq);
	assert_int_equal(mmlab_close(p, fds[0]), 0);
	assert_int_equal(mmlab_close(p, fds[1]), 0);

	assert_int_equal(mmlab_pipe(p, fds), 0);
	assert_int_equal(mmlab_vmsplice(pt, fds[1], a + PG, PG), PG);
	c = fork_of(p);
	assert_int_equal(mmlab_munmap(pt, a + PG, PG), 0);
	put64(mmlab_main_task(c), a + PG, 0x99);
	assert_int_equal(mmlab_read_fd(p, fds[0], &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 0x1001);
	assert_int_equal(mmlab_exit(c), 0);

	/* 20 pages into a 16-buffer pipe: 16 go, then EAGAIN */
	assert_int_equal(mmlab_close(p, fds[0]), 0);
	assert_int_equal(mmlab_close(p, fds[1]), 0);
	assert_int_equal(mmlab_pipe(p, fds), 0);
	assert_int_equal(mmlab_vmsplice(pt, fds[1], big, 20 * PG), 16 * PG);
	assert_int_equal(mmlab_vmsplice(pt, fds[1], big, PG), -EAGAIN);
	assert_int_equal(mmlab_exit(p), 0);	/* the pipe's references go too */
}

/* A FOLL_FORCE write through /proc/PID/mem into a read-only private
 * mapping: a page shared with a child is copied, one no longer shared is
 * reused; either way it stays read-only (the process's own write is
 * SIGSEGV) and the child keeps its data. */
static void t_proc_mem_force_write(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *pt = mmlab_main_task(p);
	uint64_t a = small_pages(p), v = 0x55, pfn0, pfn1;

	(void)state;
	assert_int_equal(mmlab_mprotect(pt, a, NP * PG, PROT_READ), 0);
	pfn0 = pfn_at(p, a);
	pfn1 = pfn_at(p, a + PG);
	c = fork_of(p);
	assert_int_equal(mmlab_proc_mem(p, a, &v, sizeof(v), true), sizeof(v));
	assert_int_not_equal(pfn_at(p, a), pfn0);		/* copied */
	assert_int_equal(get64(mmlab_main_task(c), a), 0x1000);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_proc_mem(p, a + PG, &v, sizeof(v), true), sizeof(v));
	assert_int_equal(pfn_at(p, a + PG), pfn1);		/* reused */
	for (int i = 0; i < 2; i++) {
		uint64_t w = 1;

		assert_int_equal(mmlab_write(pt, a + (uint64_t)i * PG, &w, sizeof(w), NULL),
				 MMLAB_SIGSEGV);
		assert_int_equal(get64(pt, a + (uint64_t)i * PG), 0x55);
	}
	v = 0;
	assert_int_equal(mmlab_proc_mem(p, a + 2 * PG, &v, sizeof(v), false), sizeof(v));
	assert_int_equal(v, 0x1002);
	assert_int_equal(mmlab_exit(p), 0);
}

/* CPU 1 pins (GUP-fast, read-only), writes through the page tables and
 * reads through the pin, again and again, while CPU 0 forks and ends
 * children: fork must never share a page under a pin, so every read
 * through the pin sees the write just made. */
struct pinner {
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t a;
	int g;
	atomic_bool stop;
	unsigned long rounds, stale, errors;
};

static void *pinner_peer(void *arg)
{
	struct pinner *r = arg;

	for (uint64_t v = 1; !atomic_load(&r->stop); v++) {
		uint64_t got[NP * PG / 8];

		if (mmlab_pin_longterm_test_start(r->t, r->g, r->a, NP * PG, FAST)) {
			r->errors++;
			continue;
		}
		for (int i = 0; i < NP; i++)
			if (mmlab_write(r->t, r->a + (uint64_t)i * PG, &v, sizeof(v), NULL))
				r->errors++;
		if (mmlab_pin_longterm_test_read(r->p, r->g, got, sizeof(got)))
			r->errors++;
		for (int i = 0; i < NP; i++)
			r->stale += got[(uint64_t)i * PG / 8] != v;
		if (mmlab_pin_longterm_test_stop(r->p, r->g))
			r->errors++;
		r->rounds++;
	}
	return NULL;
}

static void t_concurrent_pin_fork(void **state)
{
	struct mmlab_proc *p = spawn();
	struct pinner r = { .p = p, .t = task_on(p, 1), .a = small_pages(p) };
	uint64_t acq = vmstat("nr_foll_pin_acquired"), rel = vmstat("nr_foll_pin_released");
	double end = now_s() + 0.5;
	unsigned long forks = 0;
	pthread_t th;

	(void)state;
	r.g = mmlab_gup_test_open(p);
	atomic_init(&r.stop, false);
	assert_int_equal(mmlab_thread_create(&th, pinner_peer, &r), 0);
	while (now_s() < end || forks < 20 || r.rounds < 20) {
		struct mmlab_proc *c = fork_of(p);

		assert_int_equal(mmlab_exit(c), 0);
		forks++;
	}
	atomic_store(&r.stop, true);
	mmlab_thread_join(th);
	print_message("%lu forks, %lu pin rounds\n", forks, r.rounds);
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.stale, 0);
	assert_int_equal(vmstat("nr_foll_pin_acquired") - acq, vmstat("nr_foll_pin_released") - rel);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_machine, teardown_machine)
	const struct CMUnitTest tests[] = {
		T(t_pin_counting),
		T(t_ro_pin_unshares),
		T(t_ro_fast_pin_unshares),
		T(t_fork_copies_pinned),
		T(t_fork_copies_pinned_thp),
		T(t_pageout_skips_pinned),
		T(t_vmsplice_references),
		T(t_proc_mem_force_write),
		T(t_concurrent_pin_fork),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
