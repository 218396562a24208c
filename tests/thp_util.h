/*
 * thp_util.h - helpers shared by test_thp.c and test_khugepaged.c (header
 * only): THP knobs and per-size stats, 2 MiB-aligned anonymous regions at
 * fixed addresses, and a snapshot of a range (pagemap entries, smaps and
 * status) to compare a range before and after an operation that must leave
 * it as it was.
 */
#ifndef MMLAB_TESTS_THP_UTIL_H
#define MMLAB_TESTS_THP_UTIL_H

#include "harness.h"

#define RW		(PROT_READ | PROT_WRITE)
#define PMD		MMLAB_PMD_SIZE
#define NR_PMD_PAGES	512
#define MADV_DONTNEED_	4
#define MADV_HUGEPAGE_	14
#define MADV_NOHUGEPAGE_ 15
#define MADV_PAGEOUT_	21
#define MADV_COLLAPSE_	25

#define THP_DIR		"/sys/kernel/mm/transparent_hugepage/"
#define KHP_DIR		THP_DIR "khugepaged/"
/* Regions: 1 GiB apart from here, far from spawn's own mappings. */
#define THP_BASE	0x7e8000000000ULL

static inline uint64_t knob_u64(const char *path)
{
	char buf[64];
	int ret = mmlab_knob_get(path, buf, sizeof(buf));

	if (ret)
		fail_msg("knob %s: %d", path, ret);
	return strtoull(buf, NULL, 10);
}

/* hugepages-<kb>kB/enabled */
static inline void thp_size(unsigned int kb, const char *mode)
{
	char path[128];

	snprintf(path, sizeof(path), THP_DIR "hugepages-%ukB/enabled", kb);
	knob(path, mode);
}

/* hugepages-<kb>kB/stats/<name> */
static inline uint64_t size_stat(unsigned int kb, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), THP_DIR "hugepages-%ukB/stats/%s", kb, name);
	return knob_u64(path);
}

/* The model's per-order collapse counter. */
static inline uint64_t collapse_alloc(unsigned int kb)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mm/mmlab/mthp/hugepages-%ukB/collapse_alloc", kb);
	return knob_u64(path);
}

/*
 * A fresh machine as the tests want it: THP enabled=madvise with the 2 MiB
 * size inheriting it, mTHP sizes never; khugepaged's own thread asleep for
 * good (scans happen in mmlab_khugepaged_scan and at registration only).
 */
static inline void thp_machine_up(void)
{
	machine_up_cfg(NULL);
	knob(THP_DIR "enabled", "madvise");
	thp_size(2048, "inherit");
	knob_u(KHP_DIR "scan_sleep_millisecs", 1UL << 31);
}

static inline int thp_setup(void **state)
{
	(void)state;
	thp_machine_up();
	return 0;
}

/* Region @i: @len bytes of private anonymous memory at a 2 MiB (indeed
 * 1 GiB) aligned address, optionally madvised. */
static inline uint64_t thp_region(struct mmlab_proc *p, int i, uint64_t len, int advice)
{
	uint64_t a = map_anon(p, THP_BASE + (uint64_t)i * GiB, len, RW, 0);

	if (advice)
		assert_int_equal(mmlab_madvise(mmlab_main_task(p), a, len, advice), 0);
	return a;
}

static inline int madv(struct mmlab_proc *p, uint64_t a, uint64_t len, int advice)
{
	return mmlab_madvise(mmlab_main_task(p), a, len, advice);
}

static inline uint64_t thp_kb(struct mmlab_proc *p, uint64_t a)
{
	struct mmlab_smaps s;

	assert_int_equal(mmlab_smaps(p, a, &s), 0);
	return s.AnonHugePages;
}

static inline struct mmlab_smaps smaps_of(struct mmlab_proc *p, uint64_t a)
{
	struct mmlab_smaps s;

	assert_int_equal(mmlab_smaps(p, a, &s), 0);
	return s;
}

/* Entries [a, a + n pages) present with consecutive PFNs, the first
 * aligned to @align pages. */
static inline bool pm_contiguous(struct mmlab_proc *p, uint64_t a, unsigned int n,
				 unsigned int align)
{
	uint64_t pm[NR_PMD_PAGES];

	assert_true(n <= NR_PMD_PAGES);
	assert_int_equal(mmlab_pagemap(p, a, n, pm), 0);
	if (!(pm[0] & MMLAB_PM_PRESENT) || pfn_of(pm[0]) % align)
		return false;
	for (unsigned int i = 1; i < n; i++)
		if (!(pm[i] & MMLAB_PM_PRESENT) || pfn_of(pm[i]) != pfn_of(pm[0]) + i)
			return false;
	return true;
}

/* Count of entries of [a, a + n pages) that have all bits of @mask. */
static inline unsigned int pm_count(struct mmlab_proc *p, uint64_t a, unsigned int n,
				    uint64_t mask)
{
	uint64_t pm[NR_PMD_PAGES];
	unsigned int k = 0;

	assert_true(n <= NR_PMD_PAGES);
	assert_int_equal(mmlab_pagemap(p, a, n, pm), 0);
	for (unsigned int i = 0; i < n; i++)
		k += (pm[i] & mask) == mask;
	return k;
}

/* What a process shows of one 2 MiB range: enough to tell that an
 * operation changed nothing (frames, exclusivity, swap, RSS, page tables,
 * and through Pss/Shared the mapcounts). */
struct range_snap {
	uint64_t pm[NR_PMD_PAGES];
	struct mmlab_smaps sm;
	struct mmlab_status st;
};

static inline void snap_range(struct mmlab_proc *p, uint64_t a, struct range_snap *s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(mmlab_pagemap(p, a, NR_PMD_PAGES, s->pm), 0);
	s->sm = smaps_of(p, a);
	s->st = status_of(p);
}

static inline void snap_same(const char *what, const struct range_snap *x,
			     const struct range_snap *y)
{
	for (int i = 0; i < NR_PMD_PAGES; i++)
		if (x->pm[i] != y->pm[i])
			fail_msg("%s: pagemap[%d] %#" PRIx64 " -> %#" PRIx64, what, i,
				 x->pm[i], y->pm[i]);
#define SAME(f) if (x->f != y->f) \
	fail_msg("%s: %s %" PRIu64 " -> %" PRIu64, what, #f, (uint64_t)x->f, (uint64_t)y->f)
	SAME(sm.Rss); SAME(sm.Pss); SAME(sm.Shared_Clean); SAME(sm.Shared_Dirty);
	SAME(sm.Private_Clean); SAME(sm.Private_Dirty); SAME(sm.AnonHugePages);
	SAME(sm.Swap); SAME(st.RssAnon); SAME(st.VmPTE); SAME(st.VmSwap);
#undef SAME
}

#endif
