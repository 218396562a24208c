/*
 * test_markers.c - PTE markers: non-present swap-format
 * PTEs of the reserved swap type SWP_PTE_MARKER (31, the last of the 5-bit
 * types) whose offset holds marker bits: UFFD_WP (bit 0), POISONED (bit 1),
 * GUARD (bit 2).  pagemap reports any marker as swapped (bit 62), the type
 * in bits 0-4 and the bits in 5-54, with uffd-wp (57) and guard (58) where
 * they apply.  Encodings as this 6.18 host shows them (root, so the PFN /
 * swap fields are not zeroed):
 *
 *   guard marker       0x440000000000009f
 *   shmem uffd-wp      0x420000000000003f
 *   poisoned           0x400000000000005f (model only: a failed swap read)
 *
 * Guard regions (MADV_GUARD_INSTALL / REMOVE, 6.13; selftests/mm/
 * guard-regions.c): any access is SIGSEGV, the VMA is not split, markers
 * survive MADV_DONTNEED, are copied to a fork child, go away with
 * MADV_GUARD_REMOVE or munmap; a PTE table that holds one is not empty, so
 * MADV_DONTNEED does not free it (CONFIG_PT_RECLAIM frees empty ones).
 *
 * Differential: each case runs on the host kernel (forked child) and on the
 * model.  Swap cases use a host swap file (root) made in main().
 */
#include "markers_be.h"

#define A	DIFF_BASE
#define N	8

/* Raw pagemap entry and its decoded fields. */
static void obs_raw(struct be *b, const char *label, uint64_t addr, uint64_t want)
{
	EXPECT(b, label, be_pm(b, addr), want);
}

/* Guard: SIGSEGV on read and write, neighbours intact, one VMA. */
static void guard_basic(struct be *b)
{
	uint64_t fa = 0, v, e;
	int i;

	EXPECT(b, "mmap", be_map_anon(b, A, N * PG), 0);
	for (i = 0; i < N; i++)
		EXPECTI(b, "store", i, be_put(b, A + i * PG, 0x1000 + i), 0);
	EXPECT(b, "guard_install [2,4)", be_madvise(b, A + 2 * PG, 2 * PG, MADV_GUARD_INSTALL), 0);
	e = be_pm(b, A + 2 * PG);
	EXPECT(b, "guard marker raw", e, PM_GUARD_MARKER);
	EXPECT(b, "  swap type", PM_SWP_TYPE(e), 31);
	EXPECT(b, "  marker bits", PM_SWP_OFF(e), 4);
	EXPECT(b, "  guard bit", !!(e & MMLAB_PM_GUARD_REGION), 1);
	EXPECT(b, "  swap bit", !!(e & MMLAB_PM_SWAP), 1);
	EXPECT(b, "  present bit", !!(e & MMLAB_PM_PRESENT), 0);
	obs_raw(b, "second guard page raw", A + 3 * PG, PM_GUARD_MARKER);
	EXPECT(b, "neighbour present", !!(be_pm(b, A + PG) & MMLAB_PM_PRESENT), 1);
	EXPECT(b, "read guard", be_read(b, A + 2 * PG + 8, &v, 8, &fa), MMLAB_SIGSEGV);
	EXPECT(b, "  fault address", fa, A + 2 * PG + 8);
	EXPECT(b, "write guard", be_put(b, A + 3 * PG, 1), MMLAB_SIGSEGV);
	/* an access across the boundary: the bytes before it are done */
	EXPECT(b, "read across", be_read(b, A + 2 * PG - 4, &v, 8, &fa), MMLAB_SIGSEGV);
	EXPECT(b, "  fault address", fa, A + 2 * PG);
	for (i = 0; i < N; i++) {
		if (i == 2 || i == 3)
			continue;
		EXPECTI(b, "load", i, be_get(b, A + i * PG, &v), 0);
		EXPECTI(b, "  value", i, v, 0x1000 + i);
	}
	obs_vmas(b, "vmas", A, A + N * PG);
	EXPECT(b, "still one VMA", be_vmas(b, A, A + N * PG, NULL, 0), 1);
	/* installing again over a guard marker and over a populated page */
	EXPECT(b, "guard_install again", be_madvise(b, A + PG, 3 * PG, MADV_GUARD_INSTALL), 0);
	obs_raw(b, "populated page became a marker", A + PG, PM_GUARD_MARKER);
	EXPECT(b, "guard_remove [1,4)", be_madvise(b, A + PG, 3 * PG, MADV_GUARD_REMOVE), 0);
	for (i = 1; i < 4; i++)
		EXPECTI(b, "removed: pagemap", i, be_pm(b, A + i * PG), 0);
	EXPECT(b, "read removed", be_get(b, A + 2 * PG, &v), 0);
	EXPECT(b, "  zero", v, 0);
	EXPECT(b, "page 1 lost its data", be_get(b, A + PG, &v), 0);
	EXPECT(b, "  zero", v, 0);
	EXPECT(b, "write removed", be_put(b, A + 3 * PG, 7), 0);
	EXPECT(b, "munmap", be_munmap(b, A, N * PG), 0);
}
DIFF_TEST(guard_basic)

/* Guard markers survive MADV_DONTNEED (and MADV_FREE); GUARD_REMOVE is the way out. */
static void guard_dontneed(struct be *b)
{
	uint64_t v;

	EXPECT(b, "mmap", be_map_anon(b, A, N * PG), 0);
	EXPECT(b, "store", be_put(b, A, 5), 0);
	EXPECT(b, "guard_install", be_madvise(b, A + 4 * PG, PG, MADV_GUARD_INSTALL), 0);
	EXPECT(b, "dontneed all", be_madvise(b, A, N * PG, MADV_DONTNEED), 0);
	obs_raw(b, "guard kept", A + 4 * PG, PM_GUARD_MARKER);
	EXPECT(b, "dontneed page zapped", be_pm(b, A), 0);
	EXPECT(b, "still SIGSEGV", be_get(b, A + 4 * PG, &v), MMLAB_SIGSEGV);
	EXPECT(b, "free all", be_madvise(b, A, N * PG, MADV_FREE), 0);
	obs_raw(b, "guard kept by MADV_FREE", A + 4 * PG, PM_GUARD_MARKER);
	EXPECT(b, "guard_remove", be_madvise(b, A + 4 * PG, PG, MADV_GUARD_REMOVE), 0);
	EXPECT(b, "gone", be_pm(b, A + 4 * PG), 0);
	EXPECT(b, "readable", be_get(b, A + 4 * PG, &v), 0);
	EXPECT(b, "munmap", be_munmap(b, A, N * PG), 0);
}
DIFF_TEST(guard_dontneed)

static void guard_fork_child(struct be *c)
{
	uint64_t v;

	obs_raw(c, "child: guard marker copied", A + 2 * PG, PM_GUARD_MARKER);
	EXPECT(c, "child: read guard", be_get(c, A + 2 * PG, &v), MMLAB_SIGSEGV);
	EXPECT(c, "child: read data", be_get(c, A + PG, &v), 0);
	EXPECT(c, "  value", v, 0x77);
	EXPECT(c, "child: guard_remove", be_madvise(c, A + 2 * PG, PG, MADV_GUARD_REMOVE), 0);
	EXPECT(c, "child: readable", be_get(c, A + 2 * PG, &v), 0);
}

/* A fork child inherits the guard markers (anonymous VMA). */
static void guard_fork(struct be *b)
{
	uint64_t v;

	EXPECT(b, "mmap", be_map_anon(b, A, 4 * PG), 0);
	EXPECT(b, "store", be_put(b, A + PG, 0x77), 0);
	EXPECT(b, "guard_install", be_madvise(b, A + 2 * PG, PG, MADV_GUARD_INSTALL), 0);
	be_fork(b, guard_fork_child);
	obs_raw(b, "parent: still guarded", A + 2 * PG, PM_GUARD_MARKER);
	EXPECT(b, "parent: read guard", be_get(b, A + 2 * PG, &v), MMLAB_SIGSEGV);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
}
DIFF_TEST(guard_fork)

/* munmap drops the markers: a new mapping there is plain memory. */
static void guard_munmap(struct be *b)
{
	uint64_t v;

	EXPECT(b, "mmap", be_map_anon(b, A, 4 * PG), 0);
	EXPECT(b, "guard_install all", be_madvise(b, A, 4 * PG, MADV_GUARD_INSTALL), 0);
	EXPECT(b, "partial munmap", be_munmap(b, A + PG, PG), 0);
	EXPECT(b, "unmapped page: none", be_pm(b, A + PG), 0);
	obs_raw(b, "the rest still guarded", A + 2 * PG, PM_GUARD_MARKER);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
	EXPECT(b, "mmap again", be_map_anon(b, A, 4 * PG), 0);
	EXPECT(b, "no marker", be_pm(b, A + 2 * PG), 0);
	EXPECT(b, "readable", be_get(b, A + 2 * PG, &v), 0);
	EXPECT(b, "  zero", v, 0);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
}
DIFF_TEST(guard_munmap)

static int64_t vmpte_kb(struct be *b)
{
	struct mmlab_status st;

	memset(&st, 0, sizeof(st));
	if (be_status(b, &st))
		return -1;
	return (int64_t)st.VmPTE;
}

/*
 * A PTE table emptied by MADV_DONTNEED of its whole 2 MiB is freed
 * (CONFIG_PT_RECLAIM); one holding a guard marker is not empty and stays.
 */
static void guard_keeps_table(struct be *b)
{
	const uint64_t R = A + MMLAB_PMD_SIZE;	/* 2 MiB aligned */
	uint64_t i;
	int64_t v0, v1;
	int bad = 0;

	/* a warm page keeps the PMD table */
	EXPECT(b, "warm mmap", be_map_anon(b, A, PG), 0);
	EXPECT(b, "warm", be_put(b, A, 1), 0);
	EXPECT(b, "mmap 2 MiB", be_map_anon(b, R, MMLAB_PMD_SIZE), 0);
	v0 = vmpte_kb(b);
	for (i = 0; i < MMLAB_PMD_SIZE; i += PG)
		bad += be_put(b, R + i, i) != 0;
	EXPECT(b, "stores", bad, 0);
	v1 = vmpte_kb(b);
	EXPECT(b, "one PTE table, kB", v1 - v0, 4);
	EXPECT(b, "dontneed 2 MiB", be_madvise(b, R, MMLAB_PMD_SIZE, MADV_DONTNEED), 0);
	EXPECT(b, "empty table freed, kB", vmpte_kb(b) - v0, 0);
	for (i = 0; i < MMLAB_PMD_SIZE; i += PG)
		bad += be_put(b, R + i, i) != 0;
	EXPECT(b, "stores again", bad, 0);
	EXPECT(b, "guard one page", be_madvise(b, R + 100 * PG, PG, MADV_GUARD_INSTALL), 0);
	EXPECT(b, "dontneed 2 MiB", be_madvise(b, R, MMLAB_PMD_SIZE, MADV_DONTNEED), 0);
	EXPECT(b, "table with a marker kept, kB", vmpte_kb(b) - v0, 4);
	obs_raw(b, "marker kept", R + 100 * PG, PM_GUARD_MARKER);
	EXPECT(b, "other pages none", be_pm(b, R + 101 * PG), 0);
	EXPECT(b, "guard_remove", be_madvise(b, R + 100 * PG, PG, MADV_GUARD_REMOVE), 0);
	EXPECT(b, "dontneed 2 MiB", be_madvise(b, R, MMLAB_PMD_SIZE, MADV_DONTNEED), 0);
	OBS(b, "after guard_remove + dontneed, kB", vmpte_kb(b) - v0);
	EXPECT(b, "munmap", be_munmap(b, R, MMLAB_PMD_SIZE), 0);
	EXPECT(b, "all freed, kB", vmpte_kb(b) - v0, 0);
	EXPECT(b, "munmap warm", be_munmap(b, A, PG), 0);
}
DIFF_TEST(guard_keeps_table)

/* The uffd-wp marker: shmem write-protected where no page is mapped. */
static void uffd_wp_marker_encoding(struct be *b)
{
	int fd;
	uint64_t e;

	be_uffd_init(b);
	fd = be_map_memfd(b, A, 4 * PG);
	EXPECT(b, "memfd mapped", fd >= 0, 1);
	EXPECT(b, "register wp", be_uffd_register(b, A, 4 * PG, MMLAB_UFFD_WP), 0);
	EXPECT(b, "wp on", be_uffd_wp(b, A, 4 * PG, true), 0);
	e = be_pm(b, A);
	EXPECT(b, "uffd-wp marker raw", e, PM_UFFD_WP_MARKER);
	EXPECT(b, "  swap type", PM_SWP_TYPE(e), 31);
	EXPECT(b, "  marker bits", PM_SWP_OFF(e), 1);
	EXPECT(b, "  uffd_wp bit", !!(e & MMLAB_PM_UFFD_WP), 1);
	EXPECT(b, "  file bit", !!(e & MMLAB_PM_FILE), 0);
	EXPECT(b, "wp off", be_uffd_wp(b, A, 4 * PG, false), 0);
	EXPECT(b, "marker gone", be_pm(b, A), 0);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
	if (fd >= 0)
		be_close(b, fd);
	be_uffd_done(b);
}
DIFF_TEST_REQUIRES(uffd_wp_marker_encoding, "uffd_wp_shmem")

/* A real swap entry: type of the area in bits 0-4, its offset above. */
static void swap_entry_encoding(struct be *b)
{
	uint64_t e, v;

	if (!be_swap(b))
		return;
	EXPECT(b, "mmap", be_map_anon(b, A, 4 * PG), 0);
	EXPECT(b, "store", be_put(b, A, 0x5a5a), 0);
	EXPECT(b, "pageout", be_madvise(b, A, 4 * PG, MADV_PAGEOUT), 0);
	e = be_pm(b, A);
	EXPECT(b, "swapped", e & (MMLAB_PM_SWAP | MMLAB_PM_PRESENT), MMLAB_PM_SWAP);
	EXPECT(b, "no marker bits", e & (MMLAB_PM_UFFD_WP | MMLAB_PM_GUARD_REGION), 0);
	/* the host's area may not be type 0: other areas may exist */
	EXPECT(b, "a swap area's type (< 24)", PM_SWP_TYPE(e) < 24, 1);
	if (b->model)
		EXPECT_ONLY(b, "model: first area is type 0", PM_SWP_TYPE(e), 0);
	EXPECT(b, "an offset past the header", PM_SWP_OFF(e) > 0, 1);
	OBS(b, "file bit", !!(e & MMLAB_PM_FILE));
	OBS(b, "exclusive bit", !!(e & MMLAB_PM_MMAP_EXCLUSIVE));
	EXPECT(b, "never-touched page: none", be_pm(b, A + PG), 0);
	EXPECT(b, "swap in", be_get(b, A, &v), 0);
	EXPECT(b, "  value", v, 0x5a5a);
	EXPECT(b, "present", !!(be_pm(b, A) & MMLAB_PM_PRESENT), 1);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
}
DIFF_TEST_REQUIRES(swap_entry_encoding, "swap")

/* ------------------------------------------------------------------ */
/* Model only: the poisoned marker (swapin_error)                      */

#define FAIL_READ	"/sys/kernel/mm/mmlab/debug/swap_fail_read"

static int small_machine(void **state)
{
	struct mmlab_config cfg;

	(void)state;
	mmlab_config_default(&cfg);
	cfg.node_bytes[0] = 16 * MiB;
	machine_up_cfg(&cfg);
	assert_true(mmlab_swapon(128 * MiB) >= 0);
	return 0;
}

/* Push the swap cache out: a hog bigger than the machine. */
static void squeeze(void)
{
	struct mmlab_proc *h = spawn();
	uint64_t len = 24 * MiB, a = map_anon(h, 0, len, RW, 0);

	assert_int_equal(mmlab_madvise(mmlab_main_task(h), a, len, MADV_NOHUGEPAGE), 0);
	fill_ok(mmlab_main_task(h), a, len, 0x4040);
	assert_int_equal(mmlab_exit(h), 0);
}

/* A failed swap read leaves a POISONED marker: SIGBUS on every access. */
static void t_poisoned_marker(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, 4 * PG, RW, 0), fa = 0, v = 0, e;

	(void)state;
	fill_ok(t, a, 4 * PG, 0x9);
	assert_int_equal(mmlab_madvise(t, a, 4 * PG, MADV_PAGEOUT), 0);
	squeeze();
	e = pm1(p, a + PG);
	assert_int_equal(e & (MMLAB_PM_SWAP | MMLAB_PM_PRESENT), MMLAB_PM_SWAP);
	assert_int_equal(PM_SWP_TYPE(e), 0);
	assert_int_equal(mmlab_knob_set(FAIL_READ, "1"), 0);
	assert_int_equal(mmlab_read(t, a + PG + 8, &v, 8, &fa), MMLAB_SIGBUS);
	assert_int_equal(fa, a + PG + 8);
	e = pm1(p, a + PG);
	print_message("poisoned marker: %#" PRIx64 "\n", e);
	assert_int_equal(e, PM_POISONED_MARKER);
	assert_int_equal(PM_SWP_TYPE(e), 31);
	assert_int_equal(PM_SWP_OFF(e), 2);
	/* every access, read or write, again and again */
	assert_int_equal(mmlab_read(t, a + PG, &v, 8, &fa), MMLAB_SIGBUS);
	assert_int_equal(mmlab_write(t, a + PG, &v, 8, &fa), MMLAB_SIGBUS);
	assert_int_equal(pm1(p, a + PG), PM_POISONED_MARKER);
	/* the neighbours read fine */
	verify_ok(t, a, PG, 0x9);
	verify_ok(t, a + 2 * PG, 2 * PG, 0x9);
	/* a fork child gets the poisoned marker too (copy_nonpresent_pte) */
	{
		struct mmlab_proc *c = NULL;

		assert_int_equal(mmlab_fork(p, &c), 0);
		assert_int_equal(pm1(c, a + PG), PM_POISONED_MARKER);
		assert_int_equal(mmlab_read(mmlab_main_task(c), a + PG, &v, 8, &fa), MMLAB_SIGBUS);
		assert_int_equal(mmlab_exit(c), 0);
	}
	/* MADV_DONTNEED drops it: a fresh zero page */
	assert_int_equal(mmlab_madvise(t, a + PG, PG, MADV_DONTNEED), 0);
	assert_int_equal(pm1(p, a + PG), 0);
	zero_ok(t, a + PG, PG);
	assert_int_equal(mmlab_exit(p), 0);
}

/* The same on shmem: the marker in the PTE, SIGBUS. */
static void t_poisoned_shmem(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	int fd = mmlab_memfd(p, "poison", 4 * PG);
	uint64_t a = 0, fa = 0, v = 0;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(t, 0, 4 * PG, RW, MAP_SHARED, fd, 0, &a), 0);
	fill_ok(t, a, 4 * PG, 0xa);
	assert_int_equal(mmlab_madvise(t, a, 4 * PG, MADV_PAGEOUT), 0);
	squeeze();
	assert_int_equal(mmlab_knob_set(FAIL_READ, "1"), 0);
	assert_int_equal(mmlab_read(t, a, &v, 8, &fa), MMLAB_SIGBUS);
	assert_int_equal(mmlab_read(t, a, &v, 8, &fa), MMLAB_SIGBUS);
	/* shmem keeps the poison in the page cache (shmem_set_folio_swapin_error
	 * puts a poisoned entry in the mapping); the PTE stays none */
	assert_int_equal(pm1(p, a), 0);
	verify_ok(t, a + PG, 3 * PG, 0xa);
	assert_int_equal(mmlab_close(p, fd), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* Guard markers on the model: a large range, and exit with markers. */
static void t_guard_many(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 2048;
	uint64_t a = map_anon(p, 0, n * PG, RW, 0), i, fa = 0, v = 0;
	uint64_t pte0 = vmstat("nr_page_table_pages");

	(void)state;
	assert_int_equal(mmlab_madvise(t, a, n * PG, MADV_NOHUGEPAGE), 0);
	assert_int_equal(mmlab_madvise(t, a, n * PG, MADV_GUARD_INSTALL), 0);
	for (i = 0; i < n; i += 97) {
		assert_int_equal(pm1(p, a + i * PG), PM_GUARD_MARKER);
		assert_int_equal(mmlab_read(t, a + i * PG, &v, 8, &fa), MMLAB_SIGSEGV);
	}
	/* the markers needed tables */
	assert_true(vmstat("nr_page_table_pages") > pte0);
	assert_int_equal(mmlab_madvise(t, a + PG, n * PG - 2 * PG, MADV_GUARD_REMOVE), 0);
	assert_int_equal(pm1(p, a), PM_GUARD_MARKER);
	assert_int_equal(pm1(p, a + (n - 1) * PG), PM_GUARD_MARKER);
	zero_ok(t, a + PG, 4 * PG);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_guard_basic),
		cmocka_unit_test(t_guard_dontneed),
		cmocka_unit_test(t_guard_fork),
		cmocka_unit_test(t_guard_munmap),
		cmocka_unit_test(t_guard_keeps_table),
		cmocka_unit_test(t_uffd_wp_marker_encoding),
		cmocka_unit_test(t_swap_entry_encoding),
		cmocka_unit_test_setup_teardown(t_poisoned_marker, small_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_poisoned_shmem, small_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_guard_many, setup_machine, teardown_machine),
	};
	int failed;

	host_swap_up(64 * MiB);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	host_swap_down();
	return tests_exit(failed);
}
