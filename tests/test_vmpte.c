/*
 * test_vmpte.c - VmPTE accounting (PTE, PMD and PUD tables, as the kernel
 * counts them in mm_pgtables_bytes; the PGD is not counted).
 *
 * The kernel's numbers are checked on both backends (differential): a first
 * page in an empty 512 GiB region costs a PUD, a PMD and a PTE table (12 kB);
 * 1 GiB of anonymous memory, 1 GiB aligned, with one write per 2 MiB adds
 * 512 PTE tables and one PMD table, exactly 2048 kB + 4 kB; an unaligned
 * 1 GiB spans two PMD tables; munmap gives the tables back.  On the
 * model alone: nr_page_table_pages follows VmPTE, and fork copies the page
 * tables of anonymous mappings but not of shared ones.
 */
#include "harness.h"

#define R	DIFF_BASE		/* 512 GiB aligned */
#define WARM	(DIFF_BASE + 3 * GiB)	/* same 512 GiB region, own PMD table */
#define RW	(PROT_READ | PROT_WRITE)
#define PAF	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static int64_t vmpte(struct be *b)
{
	struct mmlab_status st;

	if (be_status(b, &st))
		return -1;
	return (int64_t)st.VmPTE;
}

static int mm(struct be *b, uint64_t addr, uint64_t len, int flags)
{
	uint64_t out;

	return be_mmap(b, addr, len, RW, flags, -1, 0, &out);
}

/* One store per 2 MiB of [addr, addr + len): the number of failures. */
static int store_per_pmd(struct be *b, uint64_t addr, uint64_t len)
{
	uint64_t a;
	int bad = 0;

	for (a = addr; a < addr + len; a += MMLAB_PMD_SIZE)
		bad += be_put(b, a, a) != 0;
	return bad;
}

static void vmpte_1g(struct be *b)
{
	int64_t v0, vw, v1, v2, v3;

	v0 = vmpte(b);
	EXPECT(b, "warm page", mm(b, WARM, PG, PAF), 0);
	EXPECT(b, "store", be_put(b, WARM, 1), 0);
	vw = vmpte(b);
	/*
	 * On the host, the shared libraries can fall in this 512 GiB region
	 * (ASLR), so that its PUD table already exists: checked on the model
	 * only, where the region is known to be empty.
	 */
	if (b->model)
		EXPECT_ONLY(b, "first page in the region: PUD+PMD+PTE tables, kB",
			    vw - v0, 12);
	else
		EXPECT_ONLY(b, "first page in the region: PMD+PTE tables at least, kB",
			    vw - v0 >= 8, 1);

	EXPECT(b, "mmap 1 GiB", mm(b, R, GiB, PAF | MAP_NORESERVE), 0);
	EXPECT(b, "nohugepage", be_madvise(b, R, GiB, MADV_NOHUGEPAGE), 0);
	v1 = vmpte(b);
	EXPECT(b, "mmap allocates no table", v1 - vw, 0);
	EXPECT(b, "one store per 2 MiB", store_per_pmd(b, R, GiB), 0);
	v2 = vmpte(b);
	EXPECT(b, "1 GiB aligned: 512 PTE + 1 PMD table, kB", v2 - v1, 2048 + 4);
	/* More stores into the same tables cost nothing. */
	EXPECT(b, "second store per 2 MiB", store_per_pmd(b, R + 64 * PG, GiB - 64 * PG), 0);
	EXPECT(b, "no new table", vmpte(b) - v2, 0);
	EXPECT(b, "munmap 1 GiB", be_munmap(b, R, GiB), 0);
	v3 = vmpte(b);
	EXPECT(b, "munmap frees the PTE and PMD tables", v3 - v1, 0);

	/* Not 1 GiB aligned: two PMD tables. */
	EXPECT(b, "mmap 1 GiB at +1 MiB", mm(b, R + MiB, GiB, PAF | MAP_NORESERVE), 0);
	EXPECT(b, "nohugepage", be_madvise(b, R + MiB, GiB, MADV_NOHUGEPAGE), 0);
	EXPECT(b, "one store per 2 MiB", store_per_pmd(b, R + MiB, GiB), 0);
	/* Those stores all land below R + 1 GiB. */
	EXPECT(b, "unaligned: 512 PTE + 1 PMD table, kB", vmpte(b) - v3, 2048 + 4);
	EXPECT(b, "store to the last page", be_put(b, R + MiB + GiB - 8, 1), 0);
	EXPECT(b, "last page: 1 PTE + 1 PMD table more, kB", vmpte(b) - v3, 2048 + 4 + 8);
	EXPECT(b, "munmap", be_munmap(b, R + MiB, GiB), 0);
	EXPECT(b, "all given back", vmpte(b) - v3, 0);
}
DIFF_TEST(vmpte_1g)

/* A partial munmap frees only the tables no VMA still spans. */
static void vmpte_partial_munmap(struct be *b)
{
	int64_t v0, v1;

	EXPECT(b, "warm page", mm(b, WARM, PG, PAF), 0);
	EXPECT(b, "store", be_put(b, WARM, 1), 0);
	v0 = vmpte(b);
	EXPECT(b, "mmap 8 MiB", mm(b, R, 8 * MiB, PAF), 0);
	EXPECT(b, "nohugepage", be_madvise(b, R, 8 * MiB, MADV_NOHUGEPAGE), 0);
	EXPECT(b, "stores", store_per_pmd(b, R, 8 * MiB), 0);
	v1 = vmpte(b);
	EXPECT(b, "4 PTE tables + 1 PMD table", v1 - v0, 4 * 4 + 4);
	/* Unmap [2 MiB + 4 KiB, 6 MiB): the table of [2, 4) MiB is still
	 * spanned by the VMA below, that of [4, 6) MiB is not. */
	EXPECT(b, "munmap middle", be_munmap(b, R + 2 * MiB + PG, 4 * MiB - PG), 0);
	EXPECT(b, "one PTE table freed", v1 - vmpte(b), 4);
	EXPECT(b, "munmap rest", be_munmap(b, R, 8 * MiB), 0);
	EXPECT(b, "all freed", vmpte(b) - v0, 0);
}
DIFF_TEST(vmpte_partial_munmap)

/* ---- model only ---- */

/* The first page in an untouched 512 GiB region: three tables. */
static void t_fresh_process(void **state)
{
	uint64_t pt00 = vmstat("nr_page_table_pages");
	struct mmlab_proc *p = spawn();
	uint64_t pt0 = vmstat("nr_page_table_pages");
	uint64_t v0 = status_of(p).VmPTE;

	/* nr_page_table_pages also counts the PGD (as the kernel has since
	 * 6.15), VmPTE does not. */
	assert_true(pt0 - pt00 >= v0 / 4);
	map_anon(p, R, PG, RW, 0);
	assert_int_equal(status_of(p).VmPTE, v0);
	put64(mmlab_main_task(p), R, 1);
	assert_int_equal(status_of(p).VmPTE - v0, 12);
	assert_int_equal(vmstat("nr_page_table_pages") - pt0, 3);
	assert_int_equal(mmlab_exit(p), 0);
	assert_int_equal(vmstat_settle("nr_page_table_pages", pt00), pt00);
}

static void t_counter_follows(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t pt0 = vmstat("nr_page_table_pages");
	uint64_t v0 = status_of(p).VmPTE;
	uint64_t a = map_anon(p, R, 64 * MiB, RW, 0);

	assert_int_equal(mmlab_madvise(t, a, 64 * MiB, MADV_NOHUGEPAGE), 0);
	for (uint64_t x = a; x < a + 64 * MiB; x += MMLAB_PMD_SIZE)
		put64(t, x, x);
	/* 32 PTE tables, 1 PMD, 1 PUD. */
	assert_int_equal(status_of(p).VmPTE - v0, 34 * 4);
	assert_int_equal(vmstat("nr_page_table_pages") - pt0, 34);
	assert_int_equal(mmlab_munmap(t, a, 64 * MiB), 0);
	/* No VMA left in its 512 GiB: every table, the PUD table too, is
	 * freed. */
	assert_int_equal(status_of(p).VmPTE, v0);
	assert_int_equal(vmstat_settle("nr_page_table_pages", pt0), pt0);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_fork_copies_tables(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, R, 16 * MiB, RW, 0);
	uint64_t pt0, sh = R + 64 * GiB, out, v0 = status_of(p).VmPTE, vp, vc;

	assert_int_equal(mmlab_madvise(t, a, 16 * MiB, MADV_NOHUGEPAGE), 0);
	for (uint64_t x = a; x < a + 16 * MiB; x += MMLAB_PMD_SIZE)
		put64(t, x, x);
	vp = status_of(p).VmPTE;
	assert_int_equal(vp - v0, (8 + 1 + 1) * 4);
	pt0 = vmstat("nr_page_table_pages");
	assert_int_equal(mmlab_fork(p, &c), 0);
	/* Anonymous memory with an anon_vma (and the stack): tables copied. */
	assert_int_equal(status_of(c).VmPTE, vp);
	/* The child's tables, and its PGD. */
	assert_int_equal(vmstat("nr_page_table_pages") - pt0, vp / 4 + 1);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(vmstat_settle("nr_page_table_pages", pt0), pt0);

	/* A shared mapping's PTEs are not copied: the child faults them. */
	assert_int_equal(mmlab_munmap(t, a, 16 * MiB), 0);
	assert_int_equal(mmlab_mmap(t, sh, 4 * MiB, RW, MAP_SHARED | MAP_ANONYMOUS |
				    MAP_FIXED, -1, 0, &out), 0);
	put64(t, sh, 1);
	put64(t, sh + 2 * MiB, 2);
	assert_int_equal(mmlab_fork(p, &c), 0);
	vc = status_of(c).VmPTE;
	assert_int_equal(vc, v0);	/* only the stack's tables */
	assert_int_equal(get64(mmlab_main_task(c), sh + 2 * MiB), 2);
	/* The child's first fault there: PUD, PMD and PTE table. */
	assert_int_equal(status_of(c).VmPTE - vc, 12);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_vmpte_1g),
		cmocka_unit_test(t_vmpte_partial_munmap),
		cmocka_unit_test_setup_teardown(t_fresh_process, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_counter_follows, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_fork_copies_tables, setup_machine, teardown_machine),
	};

	return tests_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
