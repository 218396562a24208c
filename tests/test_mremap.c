/*
 * test_mremap.c - mremap(2) on the model: its errors, resizing in place,
 * moves that carry the page tables (a whole PTE table or a THP's PMD where
 * both sides are PMD-aligned), MREMAP_DONTUNMAP, what a move keeps of
 * uffd-wp and guard markers, reclaim finding the moved pages through rmap,
 * and a move racing with another CPU's reads (the old range's TLB entries
 * are flushed: no stale access).  Expectations are 6.18's, as observed on
 * the host with the scenarios/mremap_*.lua diffs.
 */
#include <pthread.h>
#include <stdatomic.h>
#include "harness.h"

#define RW		(PROT_READ | PROT_WRITE)
#define MAYMOVE		MMLAB_MREMAP_MAYMOVE
#define FIXED		MMLAB_MREMAP_FIXED
#define DONTUNMAP	MMLAB_MREMAP_DONTUNMAP
#define PMD		MMLAB_PMD_SIZE
#define BASE		0x7e0000000000ULL	/* PMD-aligned, far from the stack */
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL	102
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif

static int mr(struct mmlab_proc *p, uint64_t a, uint64_t ol, uint64_t nl, int flags,
	      uint64_t na, uint64_t *out)
{
	uint64_t dummy;

	return mmlab_mremap(mmlab_main_task(p), a, ol, nl, flags, na, out ? out : &dummy);
}

/* One word per page, independent of the address: data survives a move. */
static void stamp(struct mmlab_proc *p, uint64_t a, uint64_t n, uint64_t v)
{
	for (uint64_t i = 0; i < n; i++)
		put64(mmlab_main_task(p), a + i * PG, v + i);
}

static void stamped(struct mmlab_proc *p, uint64_t a, uint64_t n, uint64_t v)
{
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(get64(mmlab_main_task(p), a + i * PG), v + i);
}

static uint64_t vma_end(struct mmlab_proc *p, uint64_t a)
{
	struct mmlab_smaps sm;

	return mmlab_smaps(p, a, &sm) ? 0 : sm.end;
}

static void t_errors(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = map_anon(p, BASE, 8 * PG, RW, 0), far = BASE + 128 * PG, s;

	(void)state;
	stamp(p, a, 8, 1);
	assert_int_equal(mr(p, a, PG, PG, 8, 0, NULL), -EINVAL);
	assert_int_equal(mr(p, a + 1, PG, PG, MAYMOVE, 0, NULL), -EINVAL);
	assert_int_equal(mr(p, a, PG, 0, MAYMOVE, 0, NULL), -EINVAL);
	assert_int_equal(mr(p, a, PG, PG, FIXED, far, NULL), -EINVAL);
	assert_int_equal(mr(p, a, PG, PG, DONTUNMAP, far, NULL), -EINVAL);
	assert_int_equal(mr(p, a, PG, PG, MAYMOVE | FIXED, far + 5, NULL), -EINVAL);
	assert_int_equal(mr(p, a, PG, 2 * PG, MAYMOVE | DONTUNMAP, 0, NULL), -EINVAL);
	assert_int_equal(mr(p, a, 4 * PG, 4 * PG, MAYMOVE | FIXED, a + 2 * PG, NULL), -EINVAL);
	assert_int_equal(mr(p, a, PG, 2 * PG, MAYMOVE | FIXED, TASK_SIZE_47 - PG, NULL),
			 -EINVAL);
	assert_int_equal(mr(p, a - 64 * PG, PG, 2 * PG, MAYMOVE, 0, NULL), -EFAULT);
	assert_int_equal(mr(p, a + 6 * PG, 4 * PG, 8 * PG, MAYMOVE, 0, NULL), -EFAULT);
	assert_int_equal(mr(p, a, 0, PG, MAYMOVE, 0, NULL), -EINVAL);
	map_anon(p, a + 8 * PG, PG, PROT_READ, 0);
	assert_int_equal(mr(p, a, 8 * PG, 10 * PG, 0, 0, NULL), -ENOMEM);
	assert_int_equal(mr(p, a, 2 * PG, 3 * PG, 0, 0, NULL), -ENOMEM);
	/* a fixed move of the same size starting in a hole */
	assert_int_equal(mr(p, a - PG, 3 * PG, 3 * PG, MAYMOVE | FIXED, far, NULL), -EFAULT);
	/* no error changed anything */
	stamped(p, a, 8, 1);
	/* same size past the VMA's end: nothing to do; a shrink past it unmaps */
	assert_int_equal(mr(p, a + 6 * PG, 4 * PG, 4 * PG, MAYMOVE, 0, &s), 0);
	assert_int_equal(s, a + 6 * PG);
	assert_int_equal(mr(p, a + 6 * PG, 4 * PG, PG, 0, 0, &s), 0);
	assert_int_equal(vma_end(p, a), a + 7 * PG);
	assert_int_equal(vma_end(p, a + 8 * PG), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_resize(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = map_anon(p, BASE, 16 * PG, RW, 0), r = 0;
	struct mmlab_status st0, st1;

	(void)state;
	stamp(p, a, 16, 100);
	st0 = status_of(p);
	assert_int_equal(mr(p, a, 16 * PG, 6 * PG, 0, 0, &r), 0);
	assert_int_equal(r, a);
	st1 = status_of(p);
	assert_int_equal(st0.RssAnon - st1.RssAnon, 40);
	/* grow in place, up to an unwritten VMA it then merges with */
	map_anon(p, a + 12 * PG, 4 * PG, RW, 0);
	assert_int_equal(mr(p, a, 6 * PG, 12 * PG, 0, 0, &r), 0);
	assert_int_equal(r, a);
	assert_int_equal(vma_end(p, a), a + 16 * PG);
	stamped(p, a, 6, 100);
	/* blocked: MAYMOVE moves it, the data with it */
	map_anon(p, a + 16 * PG, PG, PROT_READ, 0);
	assert_int_equal(mr(p, a, 16 * PG, 20 * PG, MAYMOVE, 0, &r), 0);
	assert_true(r != a);
	stamped(p, r, 6, 100);
	assert_int_equal(vma_end(p, r), r + 20 * PG);
	assert_int_equal(vma_end(p, a), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* 4 MiB moved PMD-aligned: the tables move whole (VmPTE unchanged); then
 * half a PMD off: entry by entry, into new tables. */
static void t_move_tables(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = map_anon(p, BASE, 2 * PMD, RW, 0), b = BASE + 8 * PMD, r;
	uint64_t c = BASE + 16 * PMD + PMD / 2;
	struct mmlab_status st0, st1;

	(void)state;
	stamp(p, a, 2 * PMD / PG, 7);
	st0 = status_of(p);
	assert_int_equal(mr(p, a, 2 * PMD, 2 * PMD, MAYMOVE | FIXED, b, &r), 0);
	assert_int_equal(r, b);
	st1 = status_of(p);
	assert_int_equal(st1.VmPTE, st0.VmPTE);
	assert_int_equal(st1.RssAnon, st0.RssAnon);
	assert_int_equal(mmlab_pagemap(p, a, 1, &r), 0);
	assert_false(r & MMLAB_PM_PRESENT);
	stamped(p, b, 2 * PMD / PG, 7);
	assert_int_equal(mr(p, b, 2 * PMD, 2 * PMD, MAYMOVE | FIXED, c, &r), 0);
	st1 = status_of(p);
	assert_int_equal(st1.VmPTE, st0.VmPTE + 4);	/* three tables for two */
	stamped(p, c, 2 * PMD / PG, 7);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A PMD-mapped THP moves whole between PMD-aligned places; off the grid it
 * is split and moved as PTEs. */
static void t_move_thp(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = map_anon(p, BASE, PMD, RW, 0), b = BASE + 4 * PMD, r;
	struct mmlab_smaps sm;

	(void)state;
	assert_int_equal(mmlab_madvise(mmlab_main_task(p), a, PMD, MADV_HUGEPAGE), 0);
	stamp(p, a, PMD / PG, 3);
	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	assert_int_equal(sm.AnonHugePages, 2048);
	assert_int_equal(mr(p, a, PMD, PMD, MAYMOVE | FIXED, b, &r), 0);
	assert_int_equal(mmlab_smaps(p, b, &sm), 0);
	assert_int_equal(sm.AnonHugePages, 2048);
	stamped(p, b, PMD / PG, 3);
	assert_int_equal(mr(p, b, PMD, PMD, MAYMOVE | FIXED, b + 3 * PMD + 16 * PG, &r), 0);
	assert_int_equal(mmlab_smaps(p, r, &sm), 0);
	assert_int_equal(sm.AnonHugePages, 0);
	assert_int_equal(sm.Rss, 2048);
	stamped(p, r, PMD / PG, 3);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_dontunmap(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = map_anon(p, BASE, 4 * PG, RW, 0), r, e;
	struct mmlab_smaps sm;

	(void)state;
	stamp(p, a, 4, 50);
	assert_int_equal(mr(p, a, 4 * PG, 4 * PG, MAYMOVE | DONTUNMAP, 0, &r), 0);
	assert_true(r != a);
	stamped(p, r, 4, 50);
	assert_int_equal(mmlab_smaps(p, a, &sm), 0);	/* still mapped, empty */
	assert_int_equal(sm.Rss, 0);
	assert_int_equal(mmlab_pagemap(p, a, 1, &e), 0);
	assert_false(e & MMLAB_PM_PRESENT);
	stamp(p, a, 4, 90);			/* fresh pages, apart from the moved */
	stamped(p, r, 4, 50);
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * A MREMAP_DONTUNMAP | MREMAP_FIXED move of several VMAs that ends inside
 * the last one: the range left behind merges back with that VMA's tail,
 * and the walk must go on past it, not find it again (selftests/mm/
 * mremap_test.c, move_multiple_vmas_split with DONTUNMAP).
 */
static void t_dontunmap_multi_split(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = map_anon(p, BASE, 10 * PG, RW, 0), tgt = BASE + 64 * PG, r;

	(void)state;
	assert_int_equal(mmlab_munmap(mmlab_main_task(p), a + 5 * PG, PG), 0);
	stamp(p, a, 5, 10);
	stamp(p, a + 6 * PG, 4, 20);
	assert_int_equal(mr(p, a + 2 * PG, 7 * PG, 7 * PG, MAYMOVE | FIXED | DONTUNMAP,
			    tgt, &r), 0);
	assert_int_equal(r, tgt);
	stamped(p, tgt, 3, 12);			/* pages 2-4 */
	stamped(p, tgt + 4 * PG, 3, 20);	/* pages 6-8, the gap kept */
	assert_int_equal(vma_end(p, tgt + 4 * PG), tgt + 7 * PG);
	assert_int_equal(vma_end(p, tgt + 7 * PG), 0);	/* nothing moved twice */
	stamped(p, a + 9 * PG, 1, 23);		/* the tail stays */
	assert_int_equal(mmlab_exit(p), 0);
}

/* uffd-wp does not follow the move; guard markers do. */
static void t_markers(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = map_anon(p, BASE, 4 * PG, RW, 0), g = BASE + 64 * PG, r, e;
	struct mmlab_uffd_event ev[8];
	struct mmlab_smaps sm;

	(void)state;
	stamp(p, a, 4, 1);
	assert_int_equal(mmlab_uffd_register(p, a, 4 * PG, MMLAB_UFFD_WP), 0);
	assert_int_equal(mmlab_uffd_wp(p, a, 4 * PG, true), 0);
	assert_true(pm1(p, a) & MMLAB_PM_UFFD_WP);
	assert_int_equal(mr(p, a, 4 * PG, 4 * PG, MAYMOVE | FIXED, BASE + 32 * PG, &r), 0);
	e = pm1(p, r);
	assert_true(e & MMLAB_PM_PRESENT);
	assert_false(e & MMLAB_PM_UFFD_WP);
	assert_int_equal(mmlab_smaps(p, r, &sm), 0);
	assert_false(vmflag(sm.flags, "uw"));
	stamp(p, r, 1, 9);		/* no userfault: the write goes through */
	assert_int_equal(mmlab_uffd_events(p, ev, 8), 0);

	map_anon(p, g, 4 * PG, RW, 0);
	stamp(p, g, 4, 1);
	assert_int_equal(mmlab_madvise(mmlab_main_task(p), g + PG, PG, MADV_GUARD_INSTALL), 0);
	assert_int_equal(mr(p, g, 4 * PG, 4 * PG, MAYMOVE | FIXED, BASE + 96 * PG, &r), 0);
	assert_true(pm1(p, r + PG) & MMLAB_PM_GUARD_REGION);
	assert_int_equal(mmlab_write(mmlab_main_task(p), r + PG, &e, 8, NULL), MMLAB_SIGSEGV);
	stamped(p, r + 2 * PG, 2, 3);
	assert_int_equal(mmlab_exit(p), 0);
}

/* Reclaim finds moved pages through rmap (the VMA's page offset and
 * anon_vma came along), and a fork child's moved VMA merges with no
 * unwritten neighbour. */
static void t_rmap_after_move(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	uint64_t a = map_anon(p, BASE, 16 * PG, RW, 0), r;
	struct mmlab_status st;

	(void)state;
	assert_true(mmlab_swapon(8 * MiB) >= 0);
	stamp(p, a, 16, 11);
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(mr(p, a + 4 * PG, 8 * PG, 8 * PG, MAYMOVE | FIXED, BASE + 64 * PG, &r), 0);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_madvise(mmlab_main_task(p), r, 8 * PG, MADV_PAGEOUT), 0);
	st = status_of(p);
	assert_int_equal(st.VmSwap, 32);
	stamped(p, r, 8, 15);
	stamped(p, a, 4, 11);

	/* fork child: its written VMA moved back next to an unwritten one */
	assert_int_equal(mmlab_fork(p, &c), 0);
	stamp(c, a, 4, 20);
	assert_int_equal(mr(c, a, 4 * PG, 4 * PG, MAYMOVE | FIXED, BASE + 128 * PG, &r), 0);
	map_anon(c, a + 4 * PG, 2 * PG, RW, 0);
	assert_int_equal(mr(c, r, 4 * PG, 4 * PG, MAYMOVE | FIXED, a, &r), 0);
	assert_int_equal(vma_end(c, a), a + 4 * PG);
	stamped(c, a, 4, 20);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* ---- racing with another CPU's reads ---- */

struct reader {
	struct mmlab_task *t;
	uint64_t a;		/* where the region is when home */
	atomic_uint seq;	/* odd: a move in flight; bit 1: away */
	atomic_bool stop;
	unsigned long reads, faults, violations;
};

static void *reader_peer(void *arg)
{
	struct reader *r = arg;

	while (!atomic_load(&r->stop)) {
		unsigned int s1 = atomic_load(&r->seq);
		uint64_t v = 0;
		int ret = mmlab_read(r->t, r->a + 3 * PG, &v, sizeof(v), NULL);
		bool stable = !(s1 & 1) && atomic_load(&r->seq) == s1;
		bool home = !(s1 & 2);

		if (ret == MMLAB_SIGSEGV) {
			r->faults++;
			r->violations += stable && home;
		} else {
			r->reads++;
			r->violations += ret || v != 1003 || (stable && !home);
		}
	}
	return NULL;
}

/* The region moves away and back (PMD-aligned: whole tables; and off the
 * grid: entry by entry) while CPU 1 reads it: a read finds the data or a
 * hole, never a stale page, and the stale-TLB detector reports nothing
 * (machine_down checks). */
static void t_concurrent_move(void **state)
{
	struct mmlab_proc *p = spawn();
	struct reader r = { .t = task_on(p, 1) };
	double end = now_s() + env_u64("MMLAB_TLB_SECONDS", 1);
	uint64_t away[2] = { BASE + 8 * PMD, BASE + 12 * PMD + 64 * PG }, got;
	unsigned long rounds = 0;
	pthread_t th;

	(void)state;
	r.a = map_anon(p, BASE, PMD, RW, 0);
	stamp(p, r.a, 8, 1000);
	atomic_init(&r.seq, 0);
	atomic_init(&r.stop, false);
	assert_int_equal(mmlab_thread_create(&th, reader_peer, &r), 0);
	while (now_s() < end || rounds < 40) {
		uint64_t to = away[rounds & 1];

		atomic_fetch_add(&r.seq, 1);
		assert_int_equal(mr(p, r.a, PMD, PMD, MAYMOVE | FIXED, to, &got), 0);
		atomic_fetch_add(&r.seq, 1);		/* even, away */
		stress_pause(20);
		atomic_fetch_add(&r.seq, 1);
		assert_int_equal(mr(p, to, PMD, PMD, MAYMOVE | FIXED, r.a, &got), 0);
		atomic_fetch_add(&r.seq, 1);		/* even, home */
		stress_pause(20);
		rounds++;
	}
	atomic_store(&r.stop, true);
	mmlab_thread_join(th);
	print_message("%lu rounds, peer: %lu reads, %lu faults\n", rounds, r.reads, r.faults);
	assert_int_equal(r.violations, 0);
	assert_true(r.reads > 0);
	stamped(p, r.a, 8, 1000);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_errors, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_resize, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_move_tables, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_move_thp, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_dontunmap, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_dontunmap_multi_split, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_markers, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_rmap_after_move, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_concurrent_move, setup_machine, teardown_machine),
	};

	return tests_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
