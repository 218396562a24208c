/*
 * test_pagemap_scan.c - the PAGEMAP_SCAN ioctl (mmlab_pagemap_scan) and the
 * userfaultfd features it works with (mmlab_uffd_api: WP_ASYNC,
 * WP_UNPOPULATED, EVENT_FORK), on the model.
 *
 * Every expectation was observed on this host's 6.18 with small C programs;
 * bad_args_diff and categories_diff run on the host kernel too (in a forked
 * child), and scenarios/pagemap_scan_*.lua, uffd_wp_unpopulated.lua and
 * uffd_event_fork.lua compare the rest on both backends:
 * - bad arguments: EINVAL for size, flags, unknown category bits in any
 *   mask, an unaligned start, vec_len without vec; EFAULT for no argument,
 *   end below start or past user space, a vec_len past user space; an
 *   unaligned end is rounded up; an empty range is 0 regions;
 * - categories: a none PTE reads written (in any VMA), a VMA hole without
 *   a page table only in a uffd-wp VMA; a guard marker is guard, swapped
 *   and written; a uffd-wp marker swapped and not written;
 * - WP_ASYNC: a registered VMA is WPALLOWED; after UFFDIO_WRITEPROTECT a
 *   write makes its page written again without an event; WP_MATCHING
 *   re-protects what it reports; a full buffer or max_pages stops the walk
 *   at walk_end; CHECK_WPASYNC is EPERM at a VMA without WP_ASYNC.
 */
#include "markers_be.h"

#define WPALLOWED	MMLAB_PAGE_IS_WPALLOWED
#define WRITTEN		MMLAB_PAGE_IS_WRITTEN
#define PRESENT		MMLAB_PAGE_IS_PRESENT
#define SWAPPED		MMLAB_PAGE_IS_SWAPPED
#define PFNZERO		MMLAB_PAGE_IS_PFNZERO
#define HUGE		MMLAB_PAGE_IS_HUGE
#define GUARD		MMLAB_PAGE_IS_GUARD
#define ALL		MMLAB_PM_SCAN_CATEGORIES

static struct mmlab_page_region r[64];
static uint64_t base;	/* regions are printed and compared relative to it */

static struct mmlab_pm_scan_arg scan_arg(uint64_t start, uint64_t len)
{
	return (struct mmlab_pm_scan_arg){
		.size = sizeof(struct mmlab_pm_scan_arg), .start = start, .end = start + len,
		.vec = (uintptr_t)r, .vec_len = 64, .return_mask = ALL,
	};
}

static long scan(struct mmlab_proc *p, struct mmlab_pm_scan_arg *a)
{
	memset(r, 0, sizeof(r));
	return mmlab_pagemap_scan(p, a);
}

/* Region i is [s, e) pages from base with categories c. */
static void region_is(int i, uint64_t s, uint64_t e, uint64_t c)
{
	if (r[i].start != base + s * PG || r[i].end != base + e * PG || r[i].categories != c)
		fail_msg("region %d: [%" PRIu64 ", %" PRIu64 ") %#" PRIx64 ", want [%" PRIu64
			 ", %" PRIu64 ") %#" PRIx64, i, (r[i].start - base) / PG,
			 (r[i].end - base) / PG, r[i].categories, s, e, c);
}

static struct mmlab_proc *uffd_async_proc(uint64_t len)
{
	struct mmlab_proc *p = spawn();

	assert_int_equal(mmlab_uffd_api(p, MMLAB_UFFD_FEATURE_WP_ASYNC), 0);
	base = map_anon(p, 0x200000000000ULL, len, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(mmlab_madvise(mmlab_main_task(p), base, len, MADV_NOHUGEPAGE), 0);
	return p;
}

static void t_bad_args(void **state)
{
	struct mmlab_proc *p;
	struct mmlab_pm_scan_arg a;
	const uint64_t top = (1ULL << 47) - PG;

	(void)state;
	p = spawn();
	base = map_anon(p, 0, 16 * PG, PROT_READ | PROT_WRITE, 0);
#define BAD(field_change, want) do { a = scan_arg(base, 16 * PG); field_change; \
		assert_int_equal(scan(p, &a), want); } while (0)
	BAD(a.size += 8, -EINVAL);
	BAD(a.size = 0, -EINVAL);
	BAD(a.flags = 4, -EINVAL);
	BAD(a.category_mask = 1 << 9, -EINVAL);
	BAD(a.category_inverted = 1 << 9, -EINVAL);
	BAD(a.category_anyof_mask = 1 << 9, -EINVAL);
	BAD(a.return_mask = 1 << 9, -EINVAL);
	BAD(a.start += 1, -EINVAL);
	BAD(a.end = a.start - PG, -EFAULT);
	BAD(a.end = 1ULL << 47, -EFAULT);
	BAD(a.end = top + 1, -EFAULT);
	BAD((a.start = 1ULL << 47, a.end = a.start + PG), -EFAULT);
	BAD(a.vec = 0, -EINVAL);
	BAD(a.vec_len = 1ULL << 62, -EFAULT);
	BAD(a.flags = MMLAB_PM_SCAN_CHECK_WPASYNC, -EPERM);
	assert_int_equal(mmlab_pagemap_scan(p, NULL), -EFAULT);
	/* accepted */
	BAD(a.return_mask = GUARD, 1);
	BAD(a.end = a.start, 0);
	BAD((a.end = top, a.return_mask = 0), 2);	/* this VMA and the stack */
	BAD((a.vec = 0, a.vec_len = 0), 0);
	BAD(a.flags = MMLAB_PM_SCAN_WP_MATCHING, 0);	/* no WPALLOWED VMA: skipped */
	a = scan_arg(base, 16 * PG - 1);
	assert_int_equal(scan(p, &a), 1);
	assert_int_equal(a.walk_end, base + 16 * PG);	/* end rounded up */
	a = scan_arg(base, 16 * PG);
	a.flags = MMLAB_PM_SCAN_CHECK_WPASYNC;
	assert_int_equal(scan(p, &a), -EPERM);
	assert_int_equal(a.walk_end, base + 16 * PG);
#undef BAD
	mmlab_exit(p);
}

static void t_categories_plain(void **state)
{
	struct mmlab_proc *p;
	struct mmlab_pm_scan_arg a;
	struct mmlab_task *t;
	uint8_t b = 1;

	(void)state;
	p = spawn();
	t = mmlab_main_task(p);
	base = map_anon(p, 0x200000000000ULL, 4 * MiB, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(mmlab_madvise(t, base, 4 * MiB, MADV_NOHUGEPAGE), 0);
	assert_int_equal(mmlab_write(t, base, &b, 1, NULL), 0);
	assert_int_equal(mmlab_read(t, base + 2 * PG, &b, 1, NULL), 0);
	assert_int_equal(mmlab_madvise(t, base + 5 * PG, PG, MADV_GUARD_INSTALL), 0);
	a = scan_arg(base, 4 * MiB);
	assert_int_equal(scan(p, &a), 7);
	assert_int_equal(a.walk_end, base + 4 * MiB);
	region_is(0, 0, 1, PRESENT | WRITTEN);
	region_is(1, 1, 2, WRITTEN);			/* none PTE */
	region_is(2, 2, 3, PRESENT | WRITTEN | PFNZERO);	/* the zero page */
	region_is(3, 3, 5, WRITTEN);
	region_is(4, 5, 6, GUARD | SWAPPED | WRITTEN);
	region_is(5, 6, 512, WRITTEN);
	region_is(6, 512, 1024, 0);			/* no page table */
	/* masks: present pages only, reported as present */
	a = scan_arg(base, 4 * MiB);
	a.category_mask = PRESENT;
	a.return_mask = PRESENT;
	assert_int_equal(scan(p, &a), 2);
	region_is(0, 0, 1, PRESENT);	/* not merged: 0 and 2 are not adjacent */
	region_is(1, 2, 3, PRESENT);
	a = scan_arg(base, 4 * MiB);
	a.category_inverted = WRITTEN;	/* not written: nothing here */
	a.category_mask = WRITTEN;
	assert_int_equal(scan(p, &a), 1);
	region_is(0, 512, 1024, 0);
	a = scan_arg(base, 4 * MiB);
	a.category_anyof_mask = GUARD | PFNZERO;
	a.return_mask = GUARD | PFNZERO;
	assert_int_equal(scan(p, &a), 2);
	region_is(0, 2, 3, PFNZERO);
	region_is(1, 5, 6, GUARD);
	mmlab_exit(p);
}

static void t_wp_async(void **state)
{
	struct mmlab_proc *p;
	struct mmlab_pm_scan_arg a;
	struct mmlab_task *t;
	struct mmlab_uffd_event ev[4];
	uint8_t b = 1;

	(void)state;
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/forbids_zeropage", "1"), 0);
	p = uffd_async_proc(8 * MiB);
	t = mmlab_main_task(p);
	assert_int_equal(mmlab_write(t, base, &b, 1, NULL), 0);
	assert_int_equal(mmlab_write(t, base + 2 * PG, &b, 1, NULL), 0);
	assert_int_equal(mmlab_uffd_register(p, base, 4 * MiB, MMLAB_UFFD_WP), 0);
	a = scan_arg(base, 4 * MiB);
	assert_int_equal(scan(p, &a), 4);
	region_is(0, 0, 1, WPALLOWED | PRESENT | WRITTEN);
	region_is(1, 1, 2, WPALLOWED | WRITTEN);
	region_is(2, 2, 3, WPALLOWED | PRESENT | WRITTEN);
	region_is(3, 3, 1024, WPALLOWED | WRITTEN);	/* the hole too (uffd-wp VMA) */
	assert_int_equal(mmlab_uffd_wp(p, base, 16 * PG, true), 0);
	a = scan_arg(base, 16 * PG);
	assert_int_equal(scan(p, &a), 4);
	region_is(0, 0, 1, WPALLOWED | PRESENT);
	region_is(1, 1, 2, WPALLOWED | SWAPPED);	/* a marker (WP_UNPOPULATED) */
	region_is(2, 2, 3, WPALLOWED | PRESENT);
	region_is(3, 3, 16, WPALLOWED | SWAPPED);
	/* writes resolve themselves: no event */
	assert_int_equal(mmlab_write(t, base, &b, 1, NULL), 0);
	assert_int_equal(mmlab_write(t, base + 3 * PG, &b, 1, NULL), 0);
	assert_int_equal(mmlab_read(t, base + 4 * PG, &b, 1, NULL), 0);
	assert_int_equal(mmlab_uffd_events(p, ev, 4), 0);
	a = scan_arg(base, 16 * PG);
	assert_int_equal(scan(p, &a), 6);
	region_is(0, 0, 1, WPALLOWED | PRESENT | WRITTEN);
	region_is(1, 1, 2, WPALLOWED | SWAPPED);
	region_is(2, 2, 3, WPALLOWED | PRESENT);
	region_is(3, 3, 4, WPALLOWED | PRESENT | WRITTEN);
	region_is(4, 4, 5, WPALLOWED | PRESENT);	/* read: wp kept */
	region_is(5, 5, 16, WPALLOWED | SWAPPED);
	/* the written-only fast path, re-protecting; none PTEs count */
	a = scan_arg(base, 32 * PG);
	a.category_mask = a.return_mask = WRITTEN;
	a.flags = MMLAB_PM_SCAN_WP_MATCHING;
	assert_int_equal(scan(p, &a), 3);
	region_is(0, 0, 1, WRITTEN);
	region_is(1, 3, 4, WRITTEN);
	region_is(2, 16, 32, WRITTEN);
	a = scan_arg(base, 32 * PG);
	assert_int_equal(scan(p, &a), 4);
	region_is(0, 0, 1, WPALLOWED | PRESENT);
	region_is(1, 1, 2, WPALLOWED | SWAPPED);
	region_is(2, 2, 5, WPALLOWED | PRESENT);
	region_is(3, 5, 32, WPALLOWED | SWAPPED);
	/* protect only (no vec), then a full buffer and max_pages */
	assert_int_equal(mmlab_write(t, base + 6 * PG, &b, 1, NULL), 0);
	assert_int_equal(mmlab_write(t, base + 20 * PG, &b, 1, NULL), 0);
	a = scan_arg(base, 32 * PG);
	a.vec = a.vec_len = 0;
	a.flags = MMLAB_PM_SCAN_WP_MATCHING;
	assert_int_equal(scan(p, &a), 0);
	a = scan_arg(base, 32 * PG);
	assert_int_equal(scan(p, &a), 8);
	region_is(5, 7, 20, WPALLOWED | SWAPPED);
	region_is(6, 20, 21, WPALLOWED | PRESENT);
	a = scan_arg(base, 32 * PG);
	a.vec_len = 1;
	assert_int_equal(scan(p, &a), 1);
	assert_int_equal(a.walk_end, base + PG);
	assert_int_equal(mmlab_write(t, base + 6 * PG, &b, 1, NULL), 0);
	assert_int_equal(mmlab_write(t, base + 7 * PG, &b, 1, NULL), 0);
	assert_int_equal(mmlab_write(t, base + 9 * PG, &b, 1, NULL), 0);
	a = scan_arg(base, 32 * PG);
	a.category_mask = WRITTEN;
	a.max_pages = 2;
	a.flags = MMLAB_PM_SCAN_WP_MATCHING;
	assert_int_equal(scan(p, &a), 1);
	region_is(0, 6, 8, WPALLOWED | PRESENT | WRITTEN);
	assert_int_equal(a.walk_end, base + 9 * PG);
	a = scan_arg(base + 6 * PG, 4 * PG);
	assert_int_equal(scan(p, &a), 3);
	region_is(0, 6, 8, WPALLOWED | PRESENT);	/* protected again */
	region_is(1, 8, 9, WPALLOWED | SWAPPED);
	region_is(2, 9, 10, WPALLOWED | PRESENT | WRITTEN);	/* past max_pages */
	/* CHECK_WPASYNC: the unregistered half is EPERM */
	a = scan_arg(base + 4 * MiB, 8 * PG);
	a.flags = MMLAB_PM_SCAN_CHECK_WPASYNC;
	assert_int_equal(scan(p, &a), -EPERM);
	a = scan_arg(base + 4 * MiB - 8 * PG, 16 * PG);
	a.flags = MMLAB_PM_SCAN_WP_MATCHING;
	assert_int_equal(scan(p, &a), 1);
	region_is(0, 1024 - 8, 1024, WPALLOWED | WRITTEN);	/* a hole, now marked */
	mmlab_exit(p);
}

/* A PMD-mapped THP: one HUGE run; WP_MATCHING of all of it keeps the PMD,
 * of a part splits it. */
static void t_thp(void **state)
{
	struct mmlab_proc *p;
	struct mmlab_pm_scan_arg a;
	struct mmlab_task *t;
	uint8_t b = 1;

	(void)state;
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/transparent_hugepage/enabled", "always"), 0);
	p = spawn();
	t = mmlab_main_task(p);
	assert_int_equal(mmlab_uffd_api(p, MMLAB_UFFD_FEATURE_WP_ASYNC), 0);
	base = map_anon(p, 0x200000000000ULL, 4 * MiB, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(mmlab_write(t, base, &b, 1, NULL), 0);
	assert_int_equal(mmlab_write(t, base + 2 * MiB, &b, 1, NULL), 0);
	a = scan_arg(base, 4 * MiB);
	assert_int_equal(scan(p, &a), 1);
	region_is(0, 0, 1024, HUGE | PRESENT | WRITTEN);
	assert_int_equal(mmlab_uffd_register(p, base, 4 * MiB, MMLAB_UFFD_WP), 0);
	a = scan_arg(base, 4 * MiB);
	a.flags = MMLAB_PM_SCAN_WP_MATCHING;
	a.return_mask = HUGE;
	a.max_pages = 512 + 16;
	assert_int_equal(scan(p, &a), 2);
	region_is(0, 0, 512, HUGE);
	region_is(1, 512, 512 + 16, 0);	/* split to protect a part */
	a = scan_arg(base, 4 * MiB);
	assert_int_equal(scan(p, &a), 3);
	region_is(0, 0, 512, WPALLOWED | HUGE | PRESENT);
	region_is(1, 512, 512 + 16, WPALLOWED | PRESENT);	/* split, protected */
	region_is(2, 512 + 16, 1024, WPALLOWED | PRESENT | WRITTEN);
	assert_int_equal(mmlab_write(t, base + 8 * PG, &b, 1, NULL), 0);
	a = scan_arg(base, 16 * PG);
	assert_int_equal(scan(p, &a), 3);
	region_is(0, 0, 8, WPALLOWED | PRESENT);	/* the write split it */
	region_is(1, 8, 9, WPALLOWED | PRESENT | WRITTEN);
	region_is(2, 9, 16, WPALLOWED | PRESENT);
	mmlab_exit(p);
}

static void t_uffd_api(void **state)
{
	struct mmlab_proc *p, *q;

	(void)state;
	p = spawn();
	q = spawn();
	assert_int_equal(mmlab_uffd_api(p, 1ULL << 30), -EINVAL);	/* no such feature */
	assert_int_equal(mmlab_uffd_api(NULL, 0), -EINVAL);
	assert_int_equal(mmlab_uffd_api(p, MMLAB_UFFD_FEATURE_WP_UNPOPULATED), 0);
	assert_int_equal(mmlab_uffd_api(p, 0), -EINVAL);	/* once */
	base = map_anon(q, 0, 4 * PG, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(mmlab_uffd_register(q, base, 4 * PG, MMLAB_UFFD_WP), 0);
	assert_int_equal(mmlab_uffd_api(q, 0), -EINVAL);	/* after a registration */
	mmlab_exit(p);
	mmlab_exit(q);
}

/* WP_UNPOPULATED: protecting empty anonymous PTEs puts markers there; the
 * first write is a wp event, a read maps the page protected. */
static void t_wp_unpopulated(void **state)
{
	struct mmlab_proc *p;
	struct mmlab_uffd_event ev[4];
	struct mmlab_task *t;
	struct mmlab_status s0, s1;
	uint8_t b = 7;

	(void)state;
	p = spawn();
	t = mmlab_main_task(p);
	assert_int_equal(mmlab_uffd_api(p, MMLAB_UFFD_FEATURE_WP_UNPOPULATED), 0);
	base = map_anon(p, 0x200000000000ULL, 4 * PG, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(mmlab_uffd_register(p, base, 4 * PG, MMLAB_UFFD_WP), 0);
	assert_int_equal(mmlab_status(p, &s0), 0);
	assert_int_equal(mmlab_uffd_wp(p, base, 4 * PG, true), 0);
	assert_int_equal(mmlab_status(p, &s1), 0);
	assert_true(s1.VmPTE > s0.VmPTE);	/* a table for the markers */
	assert_int_equal(pm1(p, base), 0x420000000000003fULL);
	assert_int_equal(mmlab_write(t, base, &b, 1, NULL), 0);
	assert_int_equal(mmlab_uffd_events(p, ev, 4), 1);
	assert_int_equal(ev[0].kind, MMLAB_UFFD_WP);
	assert_int_equal(mmlab_read(t, base + PG, &b, 1, NULL), 0);
	assert_true(pm1(p, base + PG) & MMLAB_PM_PRESENT);
	assert_true(pm1(p, base + PG) & MMLAB_PM_UFFD_WP);
	assert_int_equal(mmlab_uffd_events(p, ev, 4), 0);
	mmlab_exit(p);
}

/* EVENT_FORK: the child stays registered with its wp bits, faults into its
 * own userfaultfd; the parent reads a fork event. */
static void t_event_fork(void **state)
{
	struct mmlab_proc *p, *c;
	struct mmlab_uffd_event ev[4];
	struct mmlab_smaps sm;
	uint8_t b = 7;

	(void)state;
	p = spawn();
	assert_int_equal(mmlab_uffd_api(p, MMLAB_UFFD_FEATURE_EVENT_FORK), 0);
	base = map_anon(p, 0, 4 * PG, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(mmlab_write(mmlab_main_task(p), base, &b, 1, NULL), 0);
	assert_int_equal(mmlab_uffd_register(p, base, 4 * PG, MMLAB_UFFD_WP), 0);
	assert_int_equal(mmlab_uffd_wp(p, base, 4 * PG, true), 0);
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(mmlab_uffd_events(p, ev, 4), 1);
	assert_int_equal(ev[0].kind, MMLAB_UFFD_FORK);
	assert_int_equal(mmlab_smaps(c, base, &sm), 0);
	assert_non_null(strstr(sm.flags, "uw"));
	assert_true(pm1(c, base) & MMLAB_PM_UFFD_WP);
	assert_int_equal(mmlab_write(mmlab_main_task(c), base, &b, 1, NULL), 0);
	assert_int_equal(mmlab_uffd_events(c, ev, 4), 1);
	assert_int_equal(ev[0].kind, MMLAB_UFFD_WP);
	assert_int_equal(mmlab_uffd_events(p, ev, 4), 0);
	assert_int_equal(mmlab_uffd_api(c, 0), -EINVAL);	/* it has its own */
	mmlab_exit(c);
	mmlab_exit(p);
}

/* The ioctl on the model or on the host child's own pagemap. */
static long be_pagemap_scan(struct be *b, struct mmlab_pm_scan_arg *a)
{
	long r;
	int fd;

	if (b->model)
		return mmlab_pagemap_scan(b->p, a);
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = ioctl(fd, _IOWR('f', 16, struct mmlab_pm_scan_arg), a);
	if (r < 0)
		r = -errno;
	close(fd);
	return r;
}

/* Every argument check, on both. */
static void bad_args_diff(struct be *b)
{
	static const struct {
		const char *what;
		int field;	/* index into the argument as u64s */
		uint64_t value;
		long want;
	} cases[] = {
		{ "size + 8", 0, sizeof(struct mmlab_pm_scan_arg) + 8, -EINVAL },
		{ "size 0", 0, 0, -EINVAL },
		{ "flag 4", 1, 4, -EINVAL },
		{ "start unaligned", 2, DIFF_BASE + 1, -EINVAL },
		{ "end below start", 3, DIFF_BASE - PG, -EFAULT },
		{ "end past user space", 3, 1ULL << 47, -EFAULT },
		{ "end at the top", 3, (1ULL << 47) - PG, -999 },
		{ "end unaligned", 3, DIFF_BASE + 16 * PG - 1, 1 },
		{ "end = start", 3, DIFF_BASE, 0 },
		{ "vec NULL, vec_len 1", 5, 0, -EINVAL },
		{ "vec_len 2^62", 6, 1ULL << 62, -EFAULT },
		{ "category_inverted bit 9", 8, 1 << 9, -EINVAL },
		{ "category_mask bit 9", 9, 1 << 9, -EINVAL },
		{ "category_anyof_mask bit 9", 10, 1 << 9, -EINVAL },
		{ "return_mask bit 9", 11, 1 << 9, -EINVAL },
		{ "return_mask guard", 11, GUARD, 1 },
		{ "check_wpasync", 1, MMLAB_PM_SCAN_CHECK_WPASYNC, -EPERM },
		{ "wp_matching, no WPALLOWED VMA", 1, MMLAB_PM_SCAN_WP_MATCHING, 0 },
	};
	struct mmlab_pm_scan_arg a;

	EXPECT(b, "mmap", be_map_anon(b, DIFF_BASE, 16 * PG), 0);
	for (int i = 0; i < 16; i++)
		EXPECTI(b, "store", i, be_put(b, DIFF_BASE + i * PG, i), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		long r;

		a = scan_arg(DIFF_BASE, 16 * PG);
		((uint64_t *)&a)[cases[i].field] = cases[i].value;
		r = be_pagemap_scan(b, &a);
		if (cases[i].want == -999)	/* the stack and more: some */
			EXPECTI(b, cases[i].what, (int)i, r > 0, 1);
		else
			EXPECTI(b, cases[i].what, (int)i, r, cases[i].want);
	}
	EXPECT(b, "no argument", be_pagemap_scan(b, NULL), -EFAULT);
	a = scan_arg(DIFF_BASE, 16 * PG - 1);
	EXPECT(b, "walk_end of an unaligned end", be_pagemap_scan(b, &a) == 1 &&
	       a.walk_end == DIFF_BASE + 16 * PG, 1);
	a = scan_arg(DIFF_BASE, 16 * PG);
	a.flags = MMLAB_PM_SCAN_CHECK_WPASYNC;
	EXPECT(b, "walk_end after EPERM", be_pagemap_scan(b, &a) == -EPERM &&
	       a.walk_end == DIFF_BASE + 16 * PG, 1);
	EXPECT(b, "munmap", be_munmap(b, DIFF_BASE, 16 * PG), 0);
}
DIFF_TEST_REQUIRES(bad_args_diff, "pagemap_scan")

/* Present, empty, guard, no table; the runs and their categories. */
static void categories_diff(struct be *b)
{
	static const uint64_t want[][3] = {
		{ 0, 1, PRESENT | WRITTEN }, { 1, 5, WRITTEN },
		{ 5, 6, GUARD | SWAPPED | WRITTEN }, { 6, 512, WRITTEN }, { 512, 1024, 0 },
	};
	struct mmlab_pm_scan_arg a = scan_arg(DIFF_BASE, 4 * MiB);
	long n;

	EXPECT(b, "mmap", be_map_anon(b, DIFF_BASE, 4 * MiB), 0);
	EXPECT(b, "store", be_put(b, DIFF_BASE, 1), 0);
	EXPECT(b, "guard", be_madvise(b, DIFF_BASE + 5 * PG, PG, MADV_GUARD_INSTALL), 0);
	n = be_pagemap_scan(b, &a);
	EXPECT(b, "regions", n, 5);
	for (int i = 0; i < 5 && i < n; i++) {
		EXPECTI(b, "start", i, (r[i].start - DIFF_BASE) / PG, want[i][0]);
		EXPECTI(b, "end", i, (r[i].end - DIFF_BASE) / PG, want[i][1]);
		EXPECTI(b, "categories", i, r[i].categories, want[i][2]);
	}
	EXPECT(b, "walk_end", a.walk_end == DIFF_BASE + 4 * MiB, 1);
	EXPECT(b, "munmap", be_munmap(b, DIFF_BASE, 4 * MiB), 0);
}
DIFF_TEST_REQUIRES(categories_diff, "pagemap_scan")

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_bad_args, setup_machine, teardown_machine),
		cmocka_unit_test(t_bad_args_diff),
		cmocka_unit_test(t_categories_diff),
		cmocka_unit_test_setup_teardown(t_categories_plain, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_wp_async, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_thp, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_uffd_api, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_wp_unpopulated, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_event_fork, setup_machine, teardown_machine),
	};

	return tests_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
