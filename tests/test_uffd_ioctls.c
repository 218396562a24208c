/*
 * test_uffd_ioctls.c - the userfaultfd ioctls that resolve faults, on the
 * model: the errors UFFDIO_COPY, UFFDIO_ZEROPAGE, UFFDIO_POISON,
 * UFFDIO_CONTINUE and UFFDIO_MOVE return (6.18's, as measured against this
 * host by the uffd-unit-tests scenarios), the bytes they report when they
 * stop part way (-EAGAIN), and UFFDIO_MOVE's rules: anonymous exclusive
 * pages only, a THP moved whole into an empty PMD, split otherwise.
 */
#include "thp_util.h"

#define MISSING	MMLAB_UFFD_MISSING
#define WPM	MMLAB_UFFD_WP
#define HOLES	MMLAB_UFFDIO_MOVE_ALLOW_SRC_HOLES

static int fill(struct mmlab_proc *p, int op, uint64_t dst, uint64_t src, uint64_t len,
		unsigned int mode, int64_t *res)
{
	return mmlab_uffd_fill(p, op, dst, src, len, mode, res);
}

/* An anonymous source page holding @v in its first bytes. */
static uint64_t src_page(struct mmlab_proc *p, uint64_t v)
{
	uint64_t a = map_anon(p, 0, PG, RW, 0);

	put64(mmlab_main_task(p), a, v);
	return a;
}

static void t_fill_errors(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t src = src_page(p, 0x1234), a, other;
	int64_t res = 0;

	(void)state;
	a = map_anon(p, 0, 4 * PG, RW, 0);
	other = map_anon(p, 0, PG, RW, 0);
	/* no userfaultfd yet */
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, a, src, PG, 0, &res), -EINVAL);
	assert_int_equal(mmlab_uffd_register(p, a, 4 * PG, MISSING), 0);
	/* bad ranges and modes */
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, a + 1, src, PG, 0, &res), -EINVAL);
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, a, src, 0, 0, &res), -EINVAL);
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, a, src + 8, PG, 0, &res), -EINVAL);
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, a, src, PG, 1U << 5, &res), -EINVAL);
	assert_int_equal(fill(p, MMLAB_UFFDIO_ZEROPAGE, a, 0, PG, MMLAB_UFFDIO_MODE_WP, &res),
			 -EINVAL);
	/* WP mode on a range not registered for wp; CONTINUE off shmem */
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, a, src, PG, MMLAB_UFFDIO_MODE_WP, &res),
			 -EINVAL);
	assert_int_equal(fill(p, MMLAB_UFFDIO_CONTINUE, a, 0, PG, 0, &res), -EINVAL);
	/* not registered; past the VMA's end */
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, other, src, PG, 0, &res), -ENOENT);
	assert_int_equal(res, -ENOENT);
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, a + 3 * PG, src, 2 * PG, 0, &res), -ENOENT);
	/* a copy, then the same page again: EEXIST, reported in the field */
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, a + PG, src, PG, 0, &res), 0);
	assert_int_equal(res, PG);
	assert_int_equal(get64(mmlab_main_task(p), a + PG), 0x1234);
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, a + PG, src, PG, 0, &res), -EEXIST);
	assert_int_equal(res, -EEXIST);
	/* two pages where the second is there: one page, -EAGAIN */
	assert_int_equal(fill(p, MMLAB_UFFDIO_ZEROPAGE, a, 0, 2 * PG, 0, &res), -EAGAIN);
	assert_int_equal(res, PG);
	/* POISON: a marker, SIGBUS on access, EEXIST over anything */
	assert_int_equal(fill(p, MMLAB_UFFDIO_POISON, a + 2 * PG, 0, PG, 0, &res), 0);
	assert_int_equal(mmlab_touch(mmlab_main_task(p), a + 2 * PG, PG, false, NULL),
			 MMLAB_SIGBUS);
	assert_int_equal(fill(p, MMLAB_UFFDIO_POISON, a + 2 * PG, 0, PG, 0, &res), -EEXIST);
	assert_int_equal(fill(p, MMLAB_UFFDIO_POISON, a + PG, 0, PG, 0, &res), -EEXIST);
	/* ZEROPAGE needs a none PTE; COPY overwrites the marker */
	assert_int_equal(fill(p, MMLAB_UFFDIO_ZEROPAGE, a + 2 * PG, 0, PG, 0, &res), -EEXIST);
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, a + 2 * PG, src, PG, 0, &res), 0);
	assert_int_equal(get64(mmlab_main_task(p), a + 2 * PG), 0x1234);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_fill_shmem(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t src = src_page(p, 0x77), a = 0, alias = 0;
	int fd = mmlab_memfd(p, "uffd", 2 * PG);
	int64_t res = 0;

	(void)state;
	assert_true(fd >= 0);
	/* a 4-page shared mapping of a 2-page file, and a shared alias */
	assert_int_equal(mmlab_mmap(t, 0, 4 * PG, RW, MAP_SHARED, fd, 0, &a), 0);
	assert_int_equal(mmlab_mmap(t, 0, 2 * PG, RW, MAP_SHARED, fd, 0, &alias), 0);
	assert_int_equal(mmlab_uffd_register(p, a, 4 * PG, MISSING), 0);
	assert_int_equal(mmlab_uffd_register_ioctls(p, alias, 2 * PG, MMLAB_UFFD_MINOR_MODE,
						    NULL), 0);
	/* CONTINUE where the page cache has nothing: EFAULT */
	assert_int_equal(fill(p, MMLAB_UFFDIO_CONTINUE, alias, 0, PG, 0, &res), -EFAULT);
	/* past i_size: EFAULT */
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, a + 2 * PG, src, PG, 0, &res), -EFAULT);
	/* a copy fills the page cache: the alias sees it, a second fill
	 * through the alias is EEXIST, CONTINUE maps it there (once) */
	assert_int_equal(fill(p, MMLAB_UFFDIO_COPY, a, src, PG, 0, &res), 0);
	assert_int_equal(get64(t, a), 0x77);
	assert_int_equal(fill(p, MMLAB_UFFDIO_CONTINUE, alias, 0, PG, 0, &res), 0);
	assert_int_equal(get64(t, alias), 0x77);
	assert_int_equal(fill(p, MMLAB_UFFDIO_CONTINUE, alias, 0, PG, 0, &res), -EEXIST);
	/* minor on anonymous memory is refused */
	assert_int_equal(mmlab_uffd_register_ioctls(p, src, PG, MMLAB_UFFD_MINOR_MODE, NULL),
			 -EINVAL);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_register_ioctls(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = map_anon(p, 0, PG, RW, 0), io = 0;
	const uint64_t wake = 1ULL << MMLAB_UFFDIO_WAKE_NR, wp = 1ULL << MMLAB_UFFDIO_WRITEPROTECT_NR;
	const uint64_t cont = 1ULL << MMLAB_UFFDIO_CONTINUE_NR;

	(void)state;
	assert_int_equal(mmlab_uffd_register_ioctls(p, a, PG, 0, &io), -EINVAL);
	assert_int_equal(mmlab_uffd_register_ioctls(p, a, PG, MISSING, &io), 0);
	assert_true(io & wake);
	assert_false(io & (wp | cont));
	assert_int_equal(mmlab_uffd_unregister(p, a, PG), 0);
	assert_int_equal(mmlab_uffd_register_ioctls(p, a, PG, WPM, &io), 0);
	assert_true(io & wp);
	assert_int_equal(mmlab_uffd_unregister(p, a + PG * 1024, PG), -EINVAL);
	assert_int_equal(mmlab_exit(p), 0);
}

static int move(struct mmlab_proc *p, uint64_t dst, uint64_t src, uint64_t len,
		unsigned int mode, int64_t *res)
{
	return mmlab_uffd_move(p, dst, src, len, mode, res);
}

/* UFFDIO_MOVE of 4 KiB pages: the rules. */
static void t_move_rules(void **state)
{
	struct mmlab_proc *p = spawn(), *c = NULL;
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t src = map_anon(p, 0, 4 * PG, RW, 0), dst = map_anon(p, 0, 4 * PG, RW, 0);
	uint64_t ro = map_anon(p, 0, PG, PROT_READ, 0), file = 0, plain;
	int fd = mmlab_memfd(p, "uffd", PG);
	int64_t res = 0;

	(void)state;
	plain = map_anon(p, 0, PG, RW, 0);
	assert_int_equal(mmlab_mmap(t, 0, PG, RW, MAP_PRIVATE, fd, 0, &file), 0);
	for (int i = 0; i < 4; i++)
		put64(t, src + i * PG, 0x500 + i);
	assert_int_equal(mmlab_uffd_api(p, MMLAB_UFFD_FEATURE_MOVE), 0);
	/* the destination must be registered */
	assert_int_equal(move(p, dst, src, PG, 0, &res), -EINVAL);
	assert_int_equal(mmlab_uffd_register(p, dst, 4 * PG, MISSING), 0);
	assert_int_equal(mmlab_uffd_register(p, file, PG, MISSING), 0);
	/* modes, ranges, VMAs */
	assert_int_equal(move(p, dst, src, PG, 1U << 4, &res), -EINVAL);
	assert_int_equal(move(p, dst + 1, src, PG, 0, &res), -EINVAL);
	assert_int_equal(move(p, dst, src, 5 * PG, 0, &res), -EINVAL);
	assert_int_equal(move(p, dst, ro, PG, 0, &res), -EINVAL);		/* read-only */
	assert_int_equal(move(p, file, src, PG, 0, &res), -EINVAL);	/* file */
	assert_int_equal(move(p, dst, 0x10000, PG, 0, &res), -ENOENT);	/* no VMA */
	/* a move: the page leaves the source */
	assert_int_equal(move(p, dst, src, PG, 0, &res), 0);
	assert_int_equal(res, PG);
	assert_int_equal(get64(t, dst), 0x500);
	assert_false(pm1(p, src) & MMLAB_PM_PRESENT);
	assert_true(pm1(p, dst) & MMLAB_PM_MMAP_EXCLUSIVE);
	/* onto a page: EEXIST; a hole: ENOENT, or nothing with the flag */
	assert_int_equal(move(p, dst, src + PG, PG, 0, &res), -EEXIST);
	assert_int_equal(move(p, dst + PG, src, PG, 0, &res), -ENOENT);
	assert_int_equal(move(p, dst + PG, src, PG, HOLES, &res), 0);
	assert_false(pm1(p, dst + PG) & MMLAB_PM_PRESENT);
	/* two pages, the second onto a page: one, then -EAGAIN */
	assert_int_equal(move(p, dst + 3 * PG, src + 3 * PG, PG, 0, &res), 0);
	assert_int_equal(move(p, dst + 2 * PG, src + 2 * PG, 2 * PG, 0, &res), -EAGAIN);
	assert_int_equal(res, PG);
	/* a page shared with a fork child is not exclusive: EBUSY */
	assert_int_equal(mmlab_madvise(t, dst, PG, 4 /* MADV_DONTNEED */), 0);
	put64(t, plain, 9);
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(move(p, dst, plain, PG, 0, &res), -EBUSY);
	assert_int_equal(mmlab_exit(c), 0);
	/* the child gone, the page is the parent's alone again, but stays
	 * marked shared until a write fault makes it exclusive */
	put64(t, plain, 10);
	assert_int_equal(move(p, dst, plain, PG, 0, &res), 0);
	assert_int_equal(get64(t, dst), 10);
	assert_int_equal(mmlab_exit(p), 0);
}

/* UFFDIO_MOVE of a THP: whole into an empty PMD, split otherwise. */
static void t_move_pmd(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t s1 = thp_region(p, 0, PMD, MADV_HUGEPAGE_), s2 = thp_region(p, 1, PMD, MADV_HUGEPAGE_);
	uint64_t d1 = thp_region(p, 2, PMD, MADV_HUGEPAGE_), d2 = thp_region(p, 3, 2 * PMD,
									     MADV_HUGEPAGE_);
	int64_t res = 0;

	(void)state;
	put64(t, s1 + 5 * PG, 0xabc);
	put64(t, s2 + 7 * PG, 0xdef);
	assert_int_equal(thp_kb(p, s1), PMD / KiB);
	assert_int_equal(thp_kb(p, s2), PMD / KiB);
	assert_int_equal(mmlab_uffd_register(p, d1, PMD, MISSING), 0);
	assert_int_equal(mmlab_uffd_register(p, d2, 2 * PMD, MISSING), 0);
	/* aligned, a whole PMD, an empty destination PMD: the THP moves */
	assert_int_equal(move(p, d1, s1, PMD, 0, &res), 0);
	assert_int_equal(res, PMD);
	assert_int_equal(thp_kb(p, d1), PMD / KiB);
	assert_int_equal(get64(t, d1 + 5 * PG), 0xabc);
	assert_int_equal(thp_kb(p, s1), 0);
	/* a destination a page off the PMD boundary: split, page by page */
	assert_int_equal(move(p, d2 + PG, s2, PMD, 0, &res), 0);
	assert_int_equal(res, PMD);
	assert_int_equal(thp_kb(p, d2), 0);
	assert_int_equal(get64(t, d2 + 8 * PG), 0xdef);
	assert_false(pm1(p, s2 + 7 * PG) & MMLAB_PM_PRESENT);
	/* onto a huge PMD: EEXIST */
	put64(t, s1, 1);
	assert_int_equal(thp_kb(p, s1), PMD / KiB);
	assert_int_equal(move(p, d1, s1, PMD, 0, &res), -EEXIST);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_fill_errors, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_fill_shmem, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_register_ioctls, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_move_rules, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_move_pmd, setup_machine, teardown_machine),
	};

	return tests_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
