/*
 * test_soft_dirty.c - soft-dirty tracking and its problem with PTE markers.
 *
 * /sys/kernel/mm/mmlab/soft_dirty: 0 by default, as this host, whose kernel
 * lacks CONFIG_MEM_SOFT_DIRTY (pagemap bit 55 never set; writing 4 to
 * clear_refs is accepted and does nothing).  With 1 the model behaves as a
 * kernel with CONFIG_MEM_SOFT_DIRTY (Documentation/admin-guide/mm/
 * soft-dirty.rst, selftests/mm/soft-dirty.c):
 * - a new VMA is VM_SOFTDIRTY: all its pages read soft-dirty;
 * - clear_refs 4 clears the bits (and VM_SOFTDIRTY) and write-protects the
 *   PTEs, so the next write faults and sets the bit again;
 * - untouched and read-only-accessed pages stay clean;
 * - the bit is kept in the swap PTE (_PAGE_SWP_SOFT_DIRTY) at swap-out and
 *   comes back at swap-in;
 * - for shmem, a zap (MADV_DONTNEED) of a soft-dirty PTE leaves a model
 *   marker so the bit is not lost (upstream loses it: the PTE-marker RFC's problem (c)).
 */
#include "markers_be.h"

#define KNOB	"/sys/kernel/mm/mmlab/soft_dirty"
#define SD	MMLAB_PM_SOFT_DIRTY
#define A	DIFF_BASE

/* ------------------------------------------------------------------ */
/* soft_dirty = 0: as this host (differential)                         */

static void off_never_set(struct be *b)
{
	int fd, i, bad = 0;

	if (b->model) {
		char buf[16] = "";

		EXPECT_ONLY(b, "model: knob readable", mmlab_knob_get(KNOB, buf, sizeof(buf)), 0);
		EXPECT_ONLY(b, "model: default 0", atoi(buf), 0);
	}
	EXPECT(b, "mmap anon", be_map_anon(b, A, 8 * PG), 0);
	fd = be_memfd(b, "sd", 8 * PG);
	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "mmap shmem", be_map(b, A + 8 * PG, 8 * PG, MAP_SHARED, fd), 0);
	for (i = 0; i < 16; i++)
		bad += be_put(b, A + i * PG, i) != 0;
	EXPECT(b, "stores", bad, 0);
	for (i = 0; i < 16; i++)
		EXPECTI(b, "bit 55 after writes", i, !!(be_pm(b, A + i * PG) & SD), 0);
	EXPECT(b, "clear_refs 4 accepted", be_clear_refs(b, 4), 0);
	for (i = 0; i < 16; i += 2)
		bad += be_put(b, A + i * PG, i + 1) != 0;
	EXPECT(b, "stores after clear", bad, 0);
	for (i = 0; i < 16; i++)
		EXPECTI(b, "bit 55 after clear + writes", i, !!(be_pm(b, A + i * PG) & SD), 0);
	EXPECT(b, "fresh mapping", be_map_anon(b, A + 32 * PG, PG), 0);
	EXPECT(b, "  bit 55", !!(be_pm(b, A + 32 * PG) & SD), 0);
	EXPECT(b, "clear_refs 1 accepted", be_clear_refs(b, 1), 0);
	EXPECT(b, "clear_refs 5 accepted", be_clear_refs(b, 5), 0);
	EXPECT(b, "clear_refs 6 refused", be_clear_refs(b, 6), -EINVAL);
	EXPECT(b, "munmap", be_munmap(b, A, 33 * PG), 0);
	if (fd >= 0)
		be_close(b, fd);
}
DIFF_TEST(off_never_set)

/* ------------------------------------------------------------------ */
/* soft_dirty = 1 (model only)                                         */

static int setup_on(void **state)
{
	struct mmlab_config cfg;

	(void)state;
	mmlab_config_default(&cfg);
	cfg.node_bytes[0] = 16 * MiB;
	machine_up_cfg(&cfg);
	assert_true(mmlab_swapon(128 * MiB) >= 0);
	assert_int_equal(mmlab_knob_set(KNOB, "1"), 0);
	return 0;
}

static bool sd(struct mmlab_proc *p, uint64_t a)
{
	return pm1(p, a) & SD;
}

static uint64_t map_rw(struct mmlab_proc *p, uint64_t len)
{
	uint64_t a = map_anon(p, 0, len, RW, 0);

	assert_int_equal(mmlab_madvise(mmlab_main_task(p), a, len, MADV_NOHUGEPAGE), 0);
	return a;
}

static void squeeze(void)
{
	struct mmlab_proc *h = spawn();
	uint64_t len = 24 * MiB, a = map_rw(h, len);

	fill_ok(mmlab_main_task(h), a, len, 0x4040);
	assert_int_equal(mmlab_exit(h), 0);
}

/* New VMAs are soft-dirty; clear_refs 4 clears; writes set; reads don't. */
static void t_clear_and_write(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_rw(p, 8 * PG), v;
	int i;

	(void)state;
	for (i = 0; i < 8; i++)
		assert_true(sd(p, a + i * PG));	/* VM_SOFTDIRTY, even untouched */
	put64(t, a, 1);
	put64(t, a + PG, 1);
	put64(t, a + 2 * PG, 1);
	v = get64(t, a + 3 * PG);	/* the zero page */
	(void)v;
	assert_int_equal(mmlab_clear_refs(p, 4), 0);
	for (i = 0; i < 8; i++)
		assert_false(sd(p, a + i * PG));
	/* the cleared PTE is write-protected: the write faults and sets it */
	put64(t, a + PG, 2);
	assert_true(sd(p, a + PG));
	/* reads of populated pages and of the zero page: clean */
	assert_int_equal(get64(t, a), 1);
	assert_int_equal(get64(t, a + 3 * PG), 0);
	assert_false(sd(p, a));
	assert_false(sd(p, a + 3 * PG));
	/* a first-touch write of an untouched page */
	put64(t, a + 5 * PG, 5);
	assert_true(sd(p, a + 5 * PG));
	/* a write to the zero page (CoW) */
	put64(t, a + 3 * PG, 3);
	assert_true(sd(p, a + 3 * PG));
	/* untouched pages stay clean */
	assert_false(sd(p, a + 2 * PG));
	assert_false(sd(p, a + 4 * PG));
	assert_false(sd(p, a + 7 * PG));
	/* a second clear, then one write */
	assert_int_equal(mmlab_clear_refs(p, 4), 0);
	for (i = 0; i < 8; i++)
		assert_false(sd(p, a + i * PG));
	put64(t, a + 7 * PG, 7);
	for (i = 0; i < 8; i++)
		assert_int_equal(sd(p, a + i * PG), i == 7);
	/* data is intact through all that */
	assert_int_equal(get64(t, a), 1);
	assert_int_equal(get64(t, a + PG), 2);
	/* a new mapping is soft-dirty again */
	{
		uint64_t b = map_rw(p, 2 * PG);

		assert_true(sd(p, b));
		assert_true(sd(p, b + PG));
	}
	/* other clear_refs values do not touch soft-dirty */
	assert_int_equal(mmlab_clear_refs(p, 1), 0);
	assert_true(sd(p, a + 7 * PG));
	assert_int_equal(mmlab_exit(p), 0);
}

/* The bit survives swap-out (in the swap PTE) and swap-in. */
static void t_swap(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_rw(p, 4 * PG), e;
	int i;

	(void)state;
	fill_ok(t, a, 4 * PG, 0x5d);
	assert_int_equal(mmlab_clear_refs(p, 4), 0);
	put64(t, a, 0x77);			/* page 0 dirty, 1-3 clean */
	assert_int_equal(mmlab_madvise(t, a, 4 * PG, MADV_PAGEOUT), 0);
	for (i = 0; i < 4; i++) {
		e = pm1(p, a + i * PG);
		assert_int_equal(e & (MMLAB_PM_SWAP | MMLAB_PM_PRESENT), MMLAB_PM_SWAP);
		assert_int_equal(!!(e & SD), i == 0);
	}
	squeeze();				/* no swap-cache shortcut */
	assert_int_equal(get64(t, a), 0x77);	/* swap-in by a read */
	assert_int_equal(get64(t, a + PG), mmlab_splitmix64(0x5d ^ ((a + PG) >> 3)));
	e = pm1(p, a);
	assert_int_equal(e & (MMLAB_PM_PRESENT | SD), MMLAB_PM_PRESENT | SD);
	e = pm1(p, a + PG);
	assert_int_equal(e & (MMLAB_PM_PRESENT | SD), MMLAB_PM_PRESENT);
	/* clear_refs 4 clears a swap PTE's bit too */
	assert_int_equal(mmlab_madvise(t, a, PG, MADV_PAGEOUT), 0);
	assert_true(sd(p, a));
	assert_int_equal(mmlab_clear_refs(p, 4), 0);
	assert_int_equal(pm1(p, a) & (MMLAB_PM_SWAP | SD), MMLAB_PM_SWAP);
	/* a write that swaps in sets it */
	put64(t, a + 2 * PG, 2);
	assert_true(sd(p, a + 2 * PG));
	assert_false(sd(p, a + 3 * PG));
	assert_int_equal(get64(t, a), 0x77);
	assert_false(sd(p, a));
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * A write fault that swaps a clean page in sets the bit (do_swap_page makes
 * the PTE dirty, and on x86 pte_mkdirty sets _PAGE_SOFT_DIRTY), with or
 * without the swap cache still holding the page.
 */
static void t_swapin_write(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_rw(p, 2 * PG);

	(void)state;
	put64(t, a, 1);
	put64(t, a + PG, 1);
	assert_int_equal(mmlab_madvise(t, a, 2 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(mmlab_clear_refs(p, 4), 0);
	assert_false(sd(p, a));
	put64(t, a, 2);				/* swap cache hit */
	print_message("write-fault swap-in (swap cache): %#" PRIx64 "\n", pm1(p, a));
	squeeze();
	put64(t, a + PG, 2);			/* read from swap */
	print_message("write-fault swap-in (from swap): %#" PRIx64 "\n", pm1(p, a + PG));
	assert_true(sd(p, a));
	assert_true(sd(p, a + PG));
	assert_int_equal(mmlab_exit(p), 0);
}

/* shmem: a zap of a soft-dirty PTE keeps the bit (model marker). */
static void t_shmem_zap(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	int fd = mmlab_memfd(p, "sd", 4 * PG);
	uint64_t a = 0, e;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(t, 0, 4 * PG, RW, MAP_SHARED, fd, 0, &a), 0);
	fill_ok(t, a, 4 * PG, 0x5e);
	assert_int_equal(mmlab_clear_refs(p, 4), 0);
	put64(t, a, 1);				/* page 0 dirty, 1 clean */
	assert_true(sd(p, a));
	assert_false(sd(p, a + PG));
	assert_int_equal(mmlab_madvise(t, a, 2 * PG, MADV_DONTNEED), 0);
	e = pm1(p, a);
	print_message("zapped soft-dirty shmem PTE: pagemap %#" PRIx64 "\n", e);
	assert_int_equal(e, SD);		/* not present, not swapped: bit 55 */
	assert_int_equal(pm1(p, a + PG), 0);
	/* refault by a read: the page is back, the bit kept */
	assert_int_equal(get64(t, a), 1);
	e = pm1(p, a);
	assert_int_equal(e & (MMLAB_PM_PRESENT | SD), MMLAB_PM_PRESENT | SD);
	assert_false(sd(p, a + PG));
	/* zap again, then clear_refs 4 clears the marker */
	assert_int_equal(mmlab_madvise(t, a, PG, MADV_DONTNEED), 0);
	assert_int_equal(pm1(p, a), SD);
	assert_int_equal(mmlab_clear_refs(p, 4), 0);
	assert_int_equal(pm1(p, a), 0);
	assert_int_equal(get64(t, a), 1);
	assert_false(sd(p, a));
	/* a write sets it, and pageout keeps it */
	put64(t, a + PG, 2);
	assert_true(sd(p, a + PG));
	assert_int_equal(mmlab_madvise(t, a, 4 * PG, MADV_PAGEOUT), 0);
	e = pm1(p, a + PG);
	print_message("paged-out soft-dirty shmem PTE: pagemap %#" PRIx64 "\n", e);
	assert_true(e & SD);
	assert_false(sd(p, a));
	assert_int_equal(get64(t, a + PG), 2);
	assert_true(sd(p, a + PG));
	/* munmap drops the marker with the mapping */
	assert_int_equal(mmlab_madvise(t, a + PG, PG, MADV_DONTNEED), 0);
	assert_int_equal(mmlab_munmap(t, a, 4 * PG), 0);
	assert_int_equal(mmlab_close(p, fd), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* Turning the knob off: bit 55 is never reported again. */
static void t_knob_off_again(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_rw(p, 2 * PG);

	(void)state;
	put64(t, a, 1);
	assert_true(sd(p, a));
	assert_int_equal(mmlab_knob_set(KNOB, "2"), -EINVAL);
	assert_int_equal(mmlab_knob_set(KNOB, "0"), 0);
	/* a page dirtied while on: not specified (no kernel switches this at
	 * run time); printed only */
	print_message("page written while on, after off: %#" PRIx64 "\n", pm1(p, a));
	assert_int_equal(mmlab_clear_refs(p, 4), 0);
	put64(t, a + PG, 1);
	assert_false(sd(p, a + PG));
	assert_int_equal(mmlab_exit(p), 0);
	/* a process started after: never */
	p = spawn();
	t = mmlab_main_task(p);
	a = map_rw(p, 2 * PG);
	put64(t, a, 1);
	assert_false(sd(p, a));
	assert_false(sd(p, a + PG));
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * mprotect to read-only and back after clear_refs 4 must leave a clean PTE
 * write-protected (can_change_pte_writable; for a shared mapping also
 * vma_wants_writenotify): the next write faults and sets the bit.  Anonymous
 * and shared memory (selftests/mm/soft-dirty.c, mprotect).
 */
static void t_mprotect_keeps_tracking(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	int fd = mmlab_memfd(p, "sd", PG);
	uint64_t anon = map_rw(p, PG), shm = 0, a;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(t, 0, PG, RW, MAP_SHARED, fd, 0, &shm), 0);
	for (int i = 0; i < 2; i++) {
		a = i ? shm : anon;
		put64(t, a, 1);
		assert_true(sd(p, a));
		assert_int_equal(mmlab_clear_refs(p, 4), 0);
		assert_false(sd(p, a));
		assert_int_equal(mmlab_mprotect(t, a, PG, PROT_READ), 0);
		assert_false(sd(p, a));
		assert_int_equal(mmlab_mprotect(t, a, PG, RW), 0);
		assert_false(sd(p, a));
		put64(t, a, 2);
		assert_true(sd(p, a));
		assert_int_equal(get64(t, a), 2);
	}
	assert_int_equal(mmlab_exit(p), 0);
}

/*
 * A PMD-mapped THP stays PMD-mapped through clear_refs 4 (the kernel's
 * clear_soft_dirty_pmd write-protects the PMD): the bit clears for all its
 * pages and one write sets it again for all of them.
 */
static void t_thp_stays_pmd_mapped(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t m = map_anon(p, 0, 4 * MiB, RW, 0), a = (m + 2 * MiB - 1) & ~(2 * MiB - 1);
	struct mmlab_smaps sm;

	(void)state;
	assert_int_equal(mmlab_madvise(t, a, 2 * MiB, MADV_HUGEPAGE), 0);
	put64(t, a, 1);
	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	if (sm.AnonHugePages != 2048) {
		print_message("no THP at fault (AnonHugePages %" PRIu64 " kB): nothing to test\n",
			      (uint64_t)sm.AnonHugePages);
		skip();
	}
	assert_int_equal(mmlab_clear_refs(p, 4), 0);
	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	assert_int_equal(sm.AnonHugePages, 2048);	/* not split */
	assert_false(sd(p, a));
	assert_false(sd(p, a + 2 * MiB - PG));
	put64(t, a + PG, 2);				/* a write fault on the PMD */
	assert_true(sd(p, a));
	assert_true(sd(p, a + 2 * MiB - PG));
	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	assert_int_equal(sm.AnonHugePages, 2048);
	assert_int_equal(get64(t, a), 1);
	assert_int_equal(get64(t, a + PG), 2);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_off_never_set),
		cmocka_unit_test_setup_teardown(t_clear_and_write, setup_on, teardown_machine),
		cmocka_unit_test_setup_teardown(t_swap, setup_on, teardown_machine),
		cmocka_unit_test_setup_teardown(t_swapin_write, setup_on, teardown_machine),
		cmocka_unit_test_setup_teardown(t_shmem_zap, setup_on, teardown_machine),
		cmocka_unit_test_setup_teardown(t_knob_off_again, setup_on, teardown_machine),
		cmocka_unit_test_setup_teardown(t_mprotect_keeps_tracking, setup_on, teardown_machine),
		cmocka_unit_test_setup_teardown(t_thp_stays_pmd_mapped, setup_on, teardown_machine),
	};

	return tests_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
