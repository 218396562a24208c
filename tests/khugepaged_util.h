/*
 * khugepaged_util.h - what test_khugepaged.c and test_collapse_fail.c share:
 * knob paths, a khugepaged-registered process with an anchor region, small
 * regions filled with a pattern, and "is this range a THP now?".
 *
 * Scans: the mm is registered with khugepaged once, on an empty anchor
 * region (the registration's own pass then finds nothing to do), and
 * pages_to_scan is 1, so that mmlab_khugepaged_scan(n) is exactly n passes
 * over every range.
 */
#ifndef MMLAB_TESTS_KHUGEPAGED_UTIL_H
#define MMLAB_TESTS_KHUGEPAGED_UTIL_H

#include <pthread.h>
#include "thp_util.h"

#define SHARED_CHECK	"/sys/kernel/mm/mmlab/shared_check"
#define COLLAPSE_FAIL	"/sys/kernel/mm/mmlab/debug/collapse_fail"
#define LOCKING		"/sys/kernel/mm/mmlab/collapse_locking"
#define MTHP_COLLAPSE	"/sys/kernel/mm/mmlab/mthp_collapse"
#define CREEP_GUARD	"/sys/kernel/mm/mmlab/mthp_collapse_creep_guard"
#define ANCHOR		15	/* region index of the anchor */

static const char *const lockings[] __attribute__((unused)) = { "mmap_write", "pte_locks" };

static inline void scan(unsigned int n)
{
	assert_int_equal(mmlab_khugepaged_scan(n), 0);
}

/* A process registered with khugepaged (see the header comment). */
static inline struct mmlab_proc *khp_spawn(void)
{
	struct mmlab_proc *p = spawn();
	char mode[64];

	knob_u(KHP_DIR "pages_to_scan", 1);
	assert_int_equal(mmlab_knob_get(THP_DIR "hugepages-2048kB/enabled", mode, sizeof(mode)), 0);
	thp_size(2048, "inherit");
	thp_region(p, ANCHOR, PMD, MADV_HUGEPAGE_);
	*strchr(mode, ']') = 0;
	thp_size(2048, strchr(mode, '[') + 1);
	return p;
}

/*
 * Small pages: region @i of one PMD, pages [0, n) written with @seed (THP
 * faults are off there while it is filled), then MADV_HUGEPAGE.
 */
static inline uint64_t small_region(struct mmlab_proc *p, int i, unsigned int n, uint64_t seed)
{
	uint64_t a = thp_region(p, i, PMD, MADV_NOHUGEPAGE_);

	if (n)
		fill_ok(mmlab_main_task(p), a, (uint64_t)n * PG, seed);
	assert_int_equal(madv(p, a, PMD, MADV_HUGEPAGE_), 0);
	return a;
}

/* The 2 MiB VMA at @a is one PMD-mapped THP. */
static inline bool collapsed(struct mmlab_proc *p, uint64_t a)
{
	return thp_kb(p, a) == 2048 && pm_contiguous(p, a, 512, 512);
}


#endif
