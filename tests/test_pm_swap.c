/*
 * test_pm_swap.c - PM_SWAP for shmem (PTE markers).
 *
 * /sys/kernel/mm/mmlab/shmem_pm_swap:
 * - off (default, upstream): a paged-out shmem page leaves a none PTE;
 *   pagemap shows present 0, swap 0;
 * - marker (the RFC): pageout installs a PTE_MARKER_PAGEOUT, so
 *   pagemap shows swap 1 at no cost to the read; a fault clears it;
 * - lookup (Tiberiu Georgescu's alternative): pagemap looks up the page
 *   cache for every none PTE of a shmem VMA and reports swap 1 for a
 *   swapped slot.
 *
 * The RFC's functional test on a shared memfd mapping, present/swap bits:
 *   FAULT1 1 0; PAGEOUT 0 1 (off: 0 0); FAULT2 1 0; REMOVE 0 0;
 *   (fault) PAGEOUT 0 1 (off: 0 0); REMOVE 0 0.
 * And its two accuracy caveats, documented with the exact bits per mode:
 * a PTE zapped (MADV_DONTNEED) before pageout misses the marker, and a fork
 * child (shmem PTEs are not copied at fork) misses it; lookup sees both.
 *
 * Every case runs with `off` against the host kernel (differential; the
 * host needs a swap area: root), then on the model alone with `marker` and
 * with `lookup`.
 */
#include "markers_be.h"

#define KNOB	"/sys/kernel/mm/mmlab/shmem_pm_swap"
#define A	DIFF_BASE

enum mode { OFF, MARKER, LOOKUP };
static enum mode mode;		/* the host is always OFF */
static const char *const mode_name[] = { "off", "marker", "lookup" };

/* present and swap bits as "10", "01", "00" -> 2, 1, 0 */
static int ps(struct be *b, uint64_t addr)
{
	uint64_t e = be_pm(b, addr);

	return (e & MMLAB_PM_PRESENT ? 2 : 0) | (e & MMLAB_PM_SWAP ? 1 : 0);
}

#define P1S0	2
#define P0S1	1
#define P0S0	0

static void seed_functional(struct be *b)
{
	int fd, swapped = mode == OFF ? P0S0 : P0S1;
	uint8_t c;

	if (!be_swap(b))
		return;
	fd = be_map_memfd(b, A, 4 * PG);
	EXPECT(b, "memfd mapped", fd >= 0, 1);
	EXPECT(b, "FAULT1 write", be_write8(b, A, 0xf1), 0);
	EXPECT(b, "FAULT1 (present 1 swap 0)", ps(b, A), P1S0);
	EXPECT(b, "PAGEOUT", be_madvise(b, A, PG, MADV_PAGEOUT), 0);
	EXPECT(b, "PAGEOUT (present 0 swap 1; off: 0 0)", ps(b, A), swapped);
	{
		struct mmlab_smaps sm;

		EXPECT(b, "smaps", be_smaps(b, A, &sm), 0);
		EXPECT(b, "  paged out: smaps Swap kB", sm.Swap, 4);
	}
	EXPECT(b, "FAULT2 read", be_read8(b, A, &c), 0);
	EXPECT(b, "  data back", c, 0xf1);
	EXPECT(b, "FAULT2 (present 1 swap 0)", ps(b, A), P1S0);
	EXPECT(b, "REMOVE", be_madvise(b, A, PG, MADV_REMOVE), 0);
	EXPECT(b, "REMOVE (present 0 swap 0)", ps(b, A), P0S0);
	EXPECT(b, "fault again", be_write8(b, A, 0xf2), 0);
	EXPECT(b, "  present 1 swap 0", ps(b, A), P1S0);
	EXPECT(b, "PAGEOUT", be_madvise(b, A, PG, MADV_PAGEOUT), 0);
	EXPECT(b, "PAGEOUT (present 0 swap 1; off: 0 0)", ps(b, A), swapped);
	EXPECT(b, "REMOVE", be_madvise(b, A, PG, MADV_REMOVE), 0);
	EXPECT(b, "REMOVE (present 0 swap 0)", ps(b, A), P0S0);
	EXPECT(b, "punched: zero", be_read8(b, A, &c), 0);
	EXPECT(b, "  value", c, 0);
	/* a page never touched stays none in every mode */
	EXPECT(b, "untouched page", ps(b, A + 3 * PG), P0S0);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
	if (fd >= 0)
		be_close(b, fd);
}
DIFF_TEST(seed_functional)

/*
 * Caveat 1: two mappings of one page; the first is zapped before pageout,
 * so only the second gets the marker.
 */
static void caveat_zapped_before_pageout(struct be *b)
{
	const uint64_t M1 = A, M2 = A + 64 * PG;
	int fd;
	uint8_t c;

	if (!be_swap(b))
		return;
	fd = be_memfd(b, "caveat1", PG);
	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "map M1", be_map(b, M1, PG, MAP_SHARED, fd), 0);
	EXPECT(b, "map M2", be_map(b, M2, PG, MAP_SHARED, fd), 0);
	EXPECT(b, "write via M1", be_write8(b, M1, 0xc1), 0);
	EXPECT(b, "read via M2", be_read8(b, M2, &c), 0);
	EXPECT(b, "  same page", c, 0xc1);
	EXPECT(b, "M1 present", ps(b, M1), P1S0);
	EXPECT(b, "M2 present", ps(b, M2), P1S0);
	EXPECT(b, "DONTNEED M1", be_madvise(b, M1, PG, MADV_DONTNEED), 0);
	EXPECT(b, "PAGEOUT via M2", be_madvise(b, M2, PG, MADV_PAGEOUT), 0);
	EXPECT(b, "M2: its PTE got the marker (off: 0 0)", ps(b, M2),
	       mode == OFF ? P0S0 : P0S1);
	EXPECT(b, "M1: zapped before, missed it (lookup: 0 1)", ps(b, M1),
	       mode == LOOKUP ? P0S1 : P0S0);
	EXPECT(b, "read via M1", be_read8(b, M1, &c), 0);
	EXPECT(b, "  value", c, 0xc1);
	EXPECT(b, "M1 present", ps(b, M1), P1S0);
	/* M2 keeps its marker until it faults: now stale (the page is back) */
	EXPECT(b, "M2 after M1 swapped it in (marker: stale 0 1)", ps(b, M2),
	       mode == MARKER ? P0S1 : P0S0);
	EXPECT(b, "read via M2", be_read8(b, M2, &c), 0);
	EXPECT(b, "M2 present", ps(b, M2), P1S0);
	EXPECT(b, "munmap M1", be_munmap(b, M1, PG), 0);
	EXPECT(b, "munmap M2", be_munmap(b, M2, PG), 0);
	if (fd >= 0)
		be_close(b, fd);
}
DIFF_TEST(caveat_zapped_before_pageout)

static void fork_child(struct be *c)
{
	uint8_t v;

	EXPECT(c, "child: shmem PTEs not copied, missed (lookup: 0 1)", ps(c, A),
	       mode == LOOKUP ? P0S1 : P0S0);
	EXPECT(c, "child: read", be_read8(c, A, &v), 0);
	EXPECT(c, "  value", v, 0xd1);
	EXPECT(c, "child: present", ps(c, A), P1S0);
}

/* Caveat 2: a fork child after pageout has none PTEs: no marker. */
static void caveat_fork_child(struct be *b)
{
	int fd;

	if (!be_swap(b))
		return;
	fd = be_map_memfd(b, A, PG);
	EXPECT(b, "memfd mapped", fd >= 0, 1);
	EXPECT(b, "write", be_write8(b, A, 0xd1), 0);
	EXPECT(b, "PAGEOUT", be_madvise(b, A, PG, MADV_PAGEOUT), 0);
	EXPECT(b, "parent (off: 0 0)", ps(b, A), mode == OFF ? P0S0 : P0S1);
	be_fork(b, fork_child);
	/* the child swapped the page in: the parent's marker is now stale */
	EXPECT(b, "parent after the child's swap-in (marker: stale 0 1)", ps(b, A),
	       mode == MARKER ? P0S1 : P0S0);
	EXPECT(b, "munmap", be_munmap(b, A, PG), 0);
	if (fd >= 0)
		be_close(b, fd);
}
DIFF_TEST(caveat_fork_child)

/* MADV_DONTNEED of a PAGEOUT marker drops it (it is not uffd-wp). */
static void marker_zapped(struct be *b)
{
	int fd;
	uint8_t c;

	if (!be_swap(b))
		return;
	fd = be_map_memfd(b, A, 2 * PG);
	EXPECT(b, "memfd mapped", fd >= 0, 1);
	EXPECT(b, "write", be_write8(b, A, 0xe1), 0);
	EXPECT(b, "write", be_write8(b, A + PG, 0xe2), 0);
	EXPECT(b, "PAGEOUT", be_madvise(b, A, 2 * PG, MADV_PAGEOUT), 0);
	EXPECT(b, "DONTNEED page 0", be_madvise(b, A, PG, MADV_DONTNEED), 0);
	EXPECT(b, "page 0: marker dropped (lookup: 0 1)", ps(b, A),
	       mode == LOOKUP ? P0S1 : P0S0);
	EXPECT(b, "page 1 (off: 0 0)", ps(b, A + PG), mode == OFF ? P0S0 : P0S1);
	EXPECT(b, "read page 0", be_read8(b, A, &c), 0);
	EXPECT(b, "  value", c, 0xe1);
	EXPECT(b, "munmap", be_munmap(b, A, 2 * PG), 0);
	EXPECT(b, "mmap again", be_map(b, A, 2 * PG, MAP_SHARED, fd), 0);
	EXPECT(b, "page 1 after munmap: no marker (lookup: 0 1)", ps(b, A + PG),
	       mode == LOOKUP ? P0S1 : P0S0);
	EXPECT(b, "read page 1", be_read8(b, A + PG, &c), 0);
	EXPECT(b, "  value", c, 0xe2);
	EXPECT(b, "munmap", be_munmap(b, A, 2 * PG), 0);
	if (fd >= 0)
		be_close(b, fd);
}
DIFF_TEST(marker_zapped)

/* Anonymous memory is unaffected by the knob: swap entries as always. */
static void anon_unaffected(struct be *b)
{
	if (!be_swap(b))
		return;
	EXPECT(b, "mmap", be_map_anon(b, A, PG), 0);
	EXPECT(b, "write", be_put(b, A, 1), 0);
	EXPECT(b, "PAGEOUT", be_madvise(b, A, PG, MADV_PAGEOUT), 0);
	EXPECT(b, "swap entry", ps(b, A), P0S1);
	EXPECT(b, "munmap", be_munmap(b, A, PG), 0);
}
DIFF_TEST(anon_unaffected)

/* Run a case on the model alone with shmem_pm_swap = @m. */
static void model_run(const char *name, diff_case_fn fn, enum mode m)
{
	struct obs_log *log = calloc(1, sizeof(*log));
	char buf[64] = "";
	struct be b;
	int i;

	assert_non_null(log);
	machine_up_cfg(NULL);
	assert_int_equal(mmlab_knob_set(KNOB, mode_name[m]), 0);
	assert_int_equal(mmlab_knob_get(KNOB, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, mode_name[m]));
	mode = m;
	be_model_init(&b, log);
	fn(&b);
	assert_int_equal(mmlab_exit(b.p), 0);
	mode = OFF;
	for (i = 0; i < log->n; i++)
		if (!log->e[i].ok || env_u64("MMLAB_TEST_VERBOSE", 0)) {
			print_message("%s (%s): %s\n", name, mode_name[m],
				      log->e[i].ok ? "" : "model misses an expectation:");
			diff_print("model", &log->e[i]);
		}
	i = log->nfail;
	free(log);
	machine_down();
	if (i)
		fail_msg("%s with shmem_pm_swap=%s: %d expectation(s) missed", name,
			 mode_name[m], i);
}

#define MODEL_TEST(c, m)					\
	static void t_##c##_##m(void **state)			\
	{							\
		(void)state;					\
		model_run(#c, c, m);				\
	}

MODEL_TEST(seed_functional, MARKER)
MODEL_TEST(seed_functional, LOOKUP)
MODEL_TEST(caveat_zapped_before_pageout, MARKER)
MODEL_TEST(caveat_zapped_before_pageout, LOOKUP)
MODEL_TEST(caveat_fork_child, MARKER)
MODEL_TEST(caveat_fork_child, LOOKUP)
MODEL_TEST(marker_zapped, MARKER)
MODEL_TEST(marker_zapped, LOOKUP)
MODEL_TEST(anon_unaffected, MARKER)
MODEL_TEST(anon_unaffected, LOOKUP)

/* Bad values are refused; the default is off. */
static void t_knob(void **state)
{
	char buf[64] = "";

	(void)state;
	machine_up_cfg(NULL);
	assert_int_equal(mmlab_knob_get(KNOB, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "[off]"));
	assert_int_equal(mmlab_knob_set(KNOB, "on"), -EINVAL);
	assert_int_equal(mmlab_knob_set(KNOB, "marker"), 0);
	assert_int_equal(mmlab_knob_get(KNOB, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "[marker]"));
	machine_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_knob),
		cmocka_unit_test(t_seed_functional),
		cmocka_unit_test(t_seed_functional_MARKER),
		cmocka_unit_test(t_seed_functional_LOOKUP),
		cmocka_unit_test(t_caveat_zapped_before_pageout),
		cmocka_unit_test(t_caveat_zapped_before_pageout_MARKER),
		cmocka_unit_test(t_caveat_zapped_before_pageout_LOOKUP),
		cmocka_unit_test(t_caveat_fork_child),
		cmocka_unit_test(t_caveat_fork_child_MARKER),
		cmocka_unit_test(t_caveat_fork_child_LOOKUP),
		cmocka_unit_test(t_marker_zapped),
		cmocka_unit_test(t_marker_zapped_MARKER),
		cmocka_unit_test(t_marker_zapped_LOOKUP),
		cmocka_unit_test(t_anon_unaffected),
		cmocka_unit_test(t_anon_unaffected_MARKER),
		cmocka_unit_test(t_anon_unaffected_LOOKUP),
	};
	int failed;

	host_swap_up(64 * MiB);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	host_swap_down();
	return tests_exit(failed);
}
