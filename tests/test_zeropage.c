/*
 * test_zeropage.c - anonymous read faults map the shared zero page.
 *
 * As the kernel does (checked on the host, 6.18): a read of untouched
 * private anonymous memory maps the zero page: pagemap present, not
 * exclusive, not file, the same PFN for every page and every process; no
 * RSS and no nr_anon_pages.  A later write replaces it with an exclusive
 * zero-filled page of its own.  fork copies zero-page PTEs as they are.
 */
#include "harness.h"

#define RW	(PROT_READ | PROT_WRITE)

static uint64_t zero_pfn(struct mmlab_proc *p, uint64_t a)
{
	uint64_t e = pm1(p, a);

	if (!(e & MMLAB_PM_PRESENT))
		fail_msg("%#" PRIx64 ": zero page not present (%#" PRIx64 ")", a, e);
	if (e & (MMLAB_PM_MMAP_EXCLUSIVE | MMLAB_PM_FILE | MMLAB_PM_SWAP))
		fail_msg("%#" PRIx64 ": zero page with exclusive/file/swap (%#" PRIx64 ")",
			 a, e);
	return pfn_of(e);
}

static void t_read_maps_zero_page(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t anon0 = vmstat("nr_anon_pages");
	struct mmlab_status st0 = status_of(p);
	uint64_t a = map_anon(p, 0, 16 * PG, RW, 0), z;
	int i;

	assert_false(pm1(p, a) & MMLAB_PM_PRESENT);
	zero_ok(t, a, 16 * PG);
	z = zero_pfn(p, a);
	assert_true(z != 0);
	for (i = 1; i < 16; i++)
		assert_int_equal(zero_pfn(p, a + i * PG), z);
	assert_int_equal(status_of(p).RssAnon, st0.RssAnon);
	assert_int_equal(status_of(p).VmRSS, st0.VmRSS);
	assert_int_equal(vmstat("nr_anon_pages"), anon0);
	/* A read-only mapping reads the same page. */
	{
		uint64_t r = map_anon(p, 0, 2 * PG, PROT_READ, 0);

		zero_ok(t, r, 2 * PG);
		assert_int_equal(zero_pfn(p, r + PG), z);
	}
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_zero_page_across_processes(void **state)
{
	struct mmlab_proc *p = spawn(), *q = spawn();
	uint64_t a = map_anon(p, 0, PG, RW, 0);
	uint64_t b = map_anon(q, 0, PG, RW, 0);

	zero_ok(mmlab_main_task(p), a, PG);
	zero_ok(mmlab_main_task(q), b, PG);
	assert_int_equal(zero_pfn(p, a), zero_pfn(q, b));
	assert_int_equal(mmlab_exit(q), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_write_replaces_zero_page(void **state)
{
	uint64_t anon00 = vmstat("nr_anon_pages");
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t anon0 = vmstat("nr_anon_pages");
	uint64_t rss0 = status_of(p).RssAnon;
	uint64_t a = map_anon(p, 0, 4 * PG, RW, 0), z, e;
	uint8_t one = 0x7f;

	zero_ok(t, a, 4 * PG);
	z = zero_pfn(p, a + PG);
	assert_int_equal(mmlab_write(t, a + PG + 100, &one, 1, NULL), 0);
	e = pm1(p, a + PG);
	assert_true(e & MMLAB_PM_PRESENT);
	assert_true(e & MMLAB_PM_MMAP_EXCLUSIVE);
	assert_false(e & MMLAB_PM_FILE);
	assert_true(pfn_of(e) != z);
	assert_int_equal(vmstat("nr_anon_pages"), anon0 + 1);
	assert_int_equal(status_of(p).RssAnon - rss0, 4);
	/* Zero-filled, with the one byte written. */
	zero_ok(t, a + PG, 100);
	zero_ok(t, a + PG + 101, PG - 101);
	{
		uint8_t got = 0;

		assert_int_equal(mmlab_read(t, a + PG + 100, &got, 1, NULL), 0);
		assert_int_equal(got, 0x7f);
	}
	/* The neighbours still map the zero page, still zero. */
	assert_int_equal(zero_pfn(p, a), z);
	assert_int_equal(zero_pfn(p, a + 2 * PG), z);
	zero_ok(t, a + 2 * PG, PG);
	/* The zero page itself was not written. */
	{
		struct mmlab_proc *q = spawn();
		uint64_t b = map_anon(q, 0, PG, RW, 0);

		zero_ok(mmlab_main_task(q), b, PG);
		assert_int_equal(zero_pfn(q, b), z);
		assert_int_equal(mmlab_exit(q), 0);
	}
	assert_int_equal(mmlab_exit(p), 0);
	assert_int_equal(vmstat("nr_anon_pages"), anon00);
}

/* A write to an untouched page allocates directly (no zero page first). */
static void t_write_fault_allocates(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, 2 * PG, RW, 0), e;

	put64(t, a + 8, 3);
	e = pm1(p, a);
	assert_true(e & MMLAB_PM_PRESENT);
	assert_true(e & MMLAB_PM_MMAP_EXCLUSIVE);
	assert_int_equal(get64(t, a), 0);
	zero_ok(t, a + 16, PG - 16);
	assert_int_equal(mmlab_exit(p), 0);
}

/* fork copies zero-page PTEs; a write in the child gets its own page. */
static void t_zero_page_fork(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, 2 * PG, RW, 0), z;

	put64(t, a + PG, 1);		/* gives the VMA an anon_vma */
	zero_ok(t, a, PG);
	z = zero_pfn(p, a);
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(zero_pfn(c, a), z);
	put64(mmlab_main_task(c), a, 2);
	assert_true(pm1(c, a) & MMLAB_PM_MMAP_EXCLUSIVE);
	assert_true(pfn_of(pm1(c, a)) != z);
	assert_int_equal(zero_pfn(p, a), z);
	zero_ok(t, a, PG);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* DONTNEED drops zero-page PTEs; nothing is freed. */
static void t_zero_page_dontneed(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, 8 * PG, RW, 0);
	uint64_t free0;

	zero_ok(t, a, 8 * PG);
	free0 = vmstat("nr_free_pages");
	assert_int_equal(mmlab_madvise(t, a, 8 * PG, MADV_DONTNEED), 0);
	assert_false(pm1(p, a) & MMLAB_PM_PRESENT);
	assert_int_equal(vmstat("nr_free_pages"), free0);
	zero_ok(t, a, 8 * PG);
	zero_pfn(p, a + 7 * PG);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_machine, teardown_machine)
	const struct CMUnitTest tests[] = {
		T(t_read_maps_zero_page),
		T(t_zero_page_across_processes),
		T(t_write_replaces_zero_page),
		T(t_write_fault_allocates),
		T(t_zero_page_fork),
		T(t_zero_page_dontneed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
