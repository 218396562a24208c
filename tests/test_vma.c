/*
 * test_vma.c - VMA merge and split on mmap, munmap, mprotect and madvise, as
 * the kernel does them, and the smaps view of a VMA.
 *
 * Differential: each sequence runs on the host kernel (layout read from
 * /proc/self/maps and smaps) and on the model (mmlab_vma_get, mmlab_smaps);
 * the VMA layouts and smaps fields must be the same, and the layouts the
 * kernel is known to produce are also checked as fixed expectations.
 * smaps after fork (shared pages, Pss) is checked on the model alone.
 * VmFlags of the advice that only sets a flag: MADV_MERGEABLE's "mg" and
 * guard_install's sticky VM_MAYBE_GUARD "gu".
 */
#include "harness.h"

#define R	DIFF_BASE
#define RW	(PROT_READ | PROT_WRITE)
#define PAF	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define SAF	(MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED)
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL	102
#define MADV_GUARD_REMOVE	103
#endif

static int mm(struct be *b, uint64_t addr, uint64_t len, int prot, int flags)
{
	uint64_t out;

	return be_mmap(b, addr, len, prot, flags, -1, 0, &out);
}

static int nvmas(struct be *b)
{
	struct vma_desc v[1];

	return be_vmas(b, R, R + DIFF_SPAN, v, 1);
}

/* The VMA holding @a spans [start, end): 1 when so. */
static int vma_is(struct be *b, uint64_t a, uint64_t start, uint64_t end)
{
	struct vma_desc v[64];
	int i, n = be_vmas(b, R, R + DIFF_SPAN, v, 64);

	for (i = 0; i < n && i < 64; i++)
		if (v[i].start <= a && a < v[i].end)
			return v[i].start == start && v[i].end == end;
	return 0;
}

static int touch(struct be *b, uint64_t a, uint64_t len)
{
	uint64_t x;
	int bad = 0;

	for (x = a; x < a + len; x += PG)
		bad += be_put(b, x, x) != 0;
	return bad;
}

static int check(struct be *b, uint64_t a, uint64_t len)
{
	uint64_t x, v;
	int bad = 0;

	for (x = a; x < a + len; x += PG)
		bad += be_get(b, x, &v) != 0 || v != x;
	return bad;
}

static void merge_on_mmap(struct be *b)
{
	EXPECT(b, "a", mm(b, R, 2 * PG, RW, PAF), 0);
	EXPECT(b, "b after a", mm(b, R + 2 * PG, 2 * PG, RW, PAF), 0);
	EXPECT(b, "a+b merged", vma_is(b, R, R, R + 4 * PG), 1);
	EXPECT(b, "d", mm(b, R + 10 * PG, 2 * PG, RW, PAF), 0);
	EXPECT(b, "c before d", mm(b, R + 8 * PG, 2 * PG, RW, PAF), 0);
	EXPECT(b, "c+d merged", vma_is(b, R + 8 * PG, R + 8 * PG, R + 12 * PG), 1);
	EXPECT(b, "e read-only", mm(b, R + 6 * PG, 2 * PG, PROT_READ, PAF), 0);
	EXPECT(b, "e apart", vma_is(b, R + 6 * PG, R + 6 * PG, R + 8 * PG), 1);
	EXPECT(b, "count", nvmas(b), 3);
	/* Filling the gap merges with the left side only (e differs). */
	EXPECT(b, "fill gap", mm(b, R + 4 * PG, 2 * PG, RW, PAF), 0);
	EXPECT(b, "merged left", vma_is(b, R, R, R + 6 * PG), 1);
	EXPECT(b, "count", nvmas(b), 3);
	obs_vmas(b, "layout", R, R + DIFF_SPAN);
	obs_smaps(b, "smaps of the merged vma", R + PG);
}
DIFF_TEST(merge_on_mmap)

static void mprotect_split_merge(struct be *b)
{
	EXPECT(b, "map 6", mm(b, R, 6 * PG, RW, PAF), 0);
	EXPECT(b, "touch", touch(b, R, 6 * PG), 0);
	EXPECT(b, "middle ro", be_mprotect(b, R + 2 * PG, 2 * PG, PROT_READ), 0);
	EXPECT(b, "split in 3", nvmas(b), 3);
	EXPECT(b, "middle", vma_is(b, R + 2 * PG, R + 2 * PG, R + 4 * PG), 1);
	obs_vmas(b, "split", R, R + DIFF_SPAN);
	obs_smaps(b, "smaps middle", R + 2 * PG);
	EXPECT(b, "middle back rw", be_mprotect(b, R + 2 * PG, 2 * PG, RW), 0);
	EXPECT(b, "merged back", nvmas(b), 1);
	EXPECT(b, "whole", vma_is(b, R, R, R + 6 * PG), 1);
	EXPECT(b, "data", check(b, R, 6 * PG), 0);
	/* Head, then tail, then all. */
	EXPECT(b, "head ro", be_mprotect(b, R, PG, PROT_READ), 0);
	EXPECT(b, "2 vmas", nvmas(b), 2);
	EXPECT(b, "tail ro", be_mprotect(b, R + 5 * PG, PG, PROT_READ), 0);
	EXPECT(b, "3 vmas", nvmas(b), 3);
	EXPECT(b, "all ro", be_mprotect(b, R, 6 * PG, PROT_READ), 0);
	EXPECT(b, "1 vma", nvmas(b), 1);
	EXPECT(b, "data", check(b, R, 6 * PG), 0);
	obs_vmas(b, "layout", R, R + DIFF_SPAN);
	obs_smaps(b, "smaps all ro", R);
}
DIFF_TEST(mprotect_split_merge)

static void mprotect_merges_neighbours(struct be *b)
{
	EXPECT(b, "a rw", mm(b, R, 2 * PG, RW, PAF), 0);
	EXPECT(b, "b ro", mm(b, R + 2 * PG, 2 * PG, PROT_READ, PAF), 0);
	EXPECT(b, "c none", mm(b, R + 4 * PG, 2 * PG, PROT_NONE, PAF), 0);
	EXPECT(b, "3 vmas", nvmas(b), 3);
	EXPECT(b, "b rw", be_mprotect(b, R + 2 * PG, 2 * PG, RW), 0);
	EXPECT(b, "b joins a", vma_is(b, R + 2 * PG, R, R + 4 * PG), 1);
	EXPECT(b, "2 vmas", nvmas(b), 2);
	EXPECT(b, "all ro", be_mprotect(b, R, 6 * PG, PROT_READ), 0);
	EXPECT(b, "1 vma", nvmas(b), 1);
	/* Part of a and part of c: the ends split off. */
	EXPECT(b, "inner rw", be_mprotect(b, R + PG, 4 * PG, RW), 0);
	EXPECT(b, "3 vmas again", nvmas(b), 3);
	obs_vmas(b, "layout", R, R + DIFF_SPAN);
}
DIFF_TEST(mprotect_merges_neighbours)

static void munmap_split_remap(struct be *b)
{
	uint64_t v;

	EXPECT(b, "map 6", mm(b, R, 6 * PG, RW, PAF), 0);
	EXPECT(b, "touch", touch(b, R, 6 * PG), 0);
	EXPECT(b, "unmap middle", be_munmap(b, R + 2 * PG, 2 * PG), 0);
	EXPECT(b, "2 vmas", nvmas(b), 2);
	EXPECT(b, "left", vma_is(b, R, R, R + 2 * PG), 1);
	EXPECT(b, "right", vma_is(b, R + 4 * PG, R + 4 * PG, R + 6 * PG), 1);
	obs_smaps(b, "smaps right", R + 4 * PG);
	/* Mapping the hole again merges all three (same anon_vma). */
	EXPECT(b, "remap middle", mm(b, R + 2 * PG, 2 * PG, RW, PAF), 0);
	EXPECT(b, "1 vma", nvmas(b), 1);
	EXPECT(b, "outer data", check(b, R, 2 * PG) + check(b, R + 4 * PG, 2 * PG), 0);
	EXPECT(b, "middle reads", be_get(b, R + 2 * PG, &v), 0);
	EXPECT(b, "middle is new (zero)", v, 0);
	/* mmap over the middle with another prot splits in 3. */
	EXPECT(b, "fixed ro middle", mm(b, R + 2 * PG, 2 * PG, PROT_READ, PAF), 0);
	EXPECT(b, "3 vmas", nvmas(b), 3);
	/* Unmapping across several VMAs. */
	EXPECT(b, "unmap across", be_munmap(b, R + PG, 4 * PG), 0);
	EXPECT(b, "2 vmas left", nvmas(b), 2);
	EXPECT(b, "left page", vma_is(b, R, R, R + PG), 1);
	EXPECT(b, "right page", vma_is(b, R + 5 * PG, R + 5 * PG, R + 6 * PG), 1);
	EXPECT(b, "data kept", check(b, R, PG) + check(b, R + 5 * PG, PG), 0);
	obs_vmas(b, "layout", R, R + DIFF_SPAN);
}
DIFF_TEST(munmap_split_remap)

/* Two faulted VMAs have different anon_vmas: a VMA between them joins one. */
static void anon_vma_compat(struct be *b)
{
	EXPECT(b, "a", mm(b, R, 2 * PG, RW, PAF), 0);
	EXPECT(b, "c", mm(b, R + 3 * PG, 2 * PG, RW, PAF), 0);
	EXPECT(b, "touch a", touch(b, R, 2 * PG), 0);
	EXPECT(b, "touch c", touch(b, R + 3 * PG, 2 * PG), 0);
	EXPECT(b, "b between", mm(b, R + 2 * PG, PG, RW, PAF), 0);
	EXPECT(b, "b joins a only", nvmas(b), 2);
	EXPECT(b, "a+b", vma_is(b, R, R, R + 3 * PG), 1);
	EXPECT(b, "data", check(b, R, 2 * PG) + check(b, R + 3 * PG, 2 * PG), 0);
	/* Not faulted: no anon_vma, all three merge. */
	EXPECT(b, "d", mm(b, R + 8 * PG, 2 * PG, RW, PAF), 0);
	EXPECT(b, "f", mm(b, R + 11 * PG, 2 * PG, RW, PAF), 0);
	EXPECT(b, "e between", mm(b, R + 10 * PG, PG, RW, PAF), 0);
	EXPECT(b, "d+e+f", vma_is(b, R + 8 * PG, R + 8 * PG, R + 13 * PG), 1);
	obs_vmas(b, "layout", R, R + DIFF_SPAN);
}
DIFF_TEST(anon_vma_compat)

static void no_merge_kinds(struct be *b)
{
	int fd;

	/* Each shared anonymous mapping is its own shmem file. */
	EXPECT(b, "shared a", mm(b, R, 2 * PG, RW, SAF), 0);
	EXPECT(b, "shared b", mm(b, R + 2 * PG, 2 * PG, RW, SAF), 0);
	EXPECT(b, "shared: 2 vmas", nvmas(b), 2);
	EXPECT(b, "private after shared", mm(b, R + 4 * PG, 2 * PG, RW, PAF), 0);
	EXPECT(b, "3 vmas", nvmas(b), 3);
	/* MAP_NORESERVE is a VMA flag (VM_NORESERVE). */
	EXPECT(b, "noreserve after private",
	       mm(b, R + 6 * PG, 2 * PG, RW, PAF | MAP_NORESERVE), 0);
	EXPECT(b, "4 vmas", nvmas(b), 4);
	obs_smaps(b, "smaps noreserve", R + 6 * PG);
	obs_smaps(b, "smaps private", R + 4 * PG);
	obs_smaps(b, "smaps shared", R);
	/* One memfd: contiguous file offsets merge, others do not. */
	fd = be_memfd(b, "vma", 16 * PG);
	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "memfd off 0",
	       be_mmap(b, R + 16 * PG, 2 * PG, RW, MAP_SHARED | MAP_FIXED, fd, 0,
		       &(uint64_t){0}), 0);
	EXPECT(b, "memfd off 2",
	       be_mmap(b, R + 18 * PG, 2 * PG, RW, MAP_SHARED | MAP_FIXED, fd, 2 * PG,
		       &(uint64_t){0}), 0);
	EXPECT(b, "contiguous offsets merge", vma_is(b, R + 16 * PG, R + 16 * PG, R + 20 * PG), 1);
	EXPECT(b, "memfd off 8",
	       be_mmap(b, R + 20 * PG, 2 * PG, RW, MAP_SHARED | MAP_FIXED, fd, 8 * PG,
		       &(uint64_t){0}), 0);
	EXPECT(b, "offset jump: apart", vma_is(b, R + 20 * PG, R + 20 * PG, R + 22 * PG), 1);
	obs_vmas(b, "layout", R, R + DIFF_SPAN);
	EXPECT(b, "close", be_close(b, fd), 0);
}
DIFF_TEST(no_merge_kinds)

static void madvise_split_merge(struct be *b)
{
	EXPECT(b, "map 6", mm(b, R, 6 * PG, RW, PAF), 0);
	EXPECT(b, "touch", touch(b, R, 6 * PG), 0);
	EXPECT(b, "dontneed: no split", be_madvise(b, R + 2 * PG, 2 * PG, MADV_DONTNEED), 0);
	EXPECT(b, "willneed: no split", be_madvise(b, R + 2 * PG, 2 * PG, MADV_WILLNEED), 0);
	EXPECT(b, "1 vma", nvmas(b), 1);
	EXPECT(b, "nohugepage middle", be_madvise(b, R + 2 * PG, 2 * PG, MADV_NOHUGEPAGE), 0);
	EXPECT(b, "split in 3", nvmas(b), 3);
	obs_smaps(b, "smaps middle", R + 2 * PG);
	EXPECT(b, "nohugepage head", be_madvise(b, R, 2 * PG, MADV_NOHUGEPAGE), 0);
	EXPECT(b, "head joins middle", vma_is(b, R, R, R + 4 * PG), 1);
	EXPECT(b, "nohugepage tail", be_madvise(b, R + 4 * PG, 2 * PG, MADV_NOHUGEPAGE), 0);
	EXPECT(b, "1 vma again", nvmas(b), 1);
	EXPECT(b, "hugepage middle", be_madvise(b, R + 2 * PG, 2 * PG, MADV_HUGEPAGE), 0);
	EXPECT(b, "split again", nvmas(b), 3);
	obs_smaps(b, "smaps hugepage", R + 2 * PG);
	obs_smaps(b, "smaps nohugepage", R);
	EXPECT(b, "data of untouched pages", check(b, R, 2 * PG) + check(b, R + 4 * PG, 2 * PG), 0);
	obs_vmas(b, "layout", R, R + DIFF_SPAN);
}
DIFF_TEST(madvise_split_merge)

/* The VmFlags of the VMA holding @a have @name: 1 when so. */
static int has_flag(struct be *b, uint64_t a, const char *name)
{
	struct mmlab_smaps sm;

	if (be_smaps(b, a, &sm))
		return -1;
	return vmflag(sm.flags, name);
}

/*
 * MADV_MERGEABLE (ksm_madvise): VM_MERGEABLE ("mg") is a flag like any
 * other for split and merge; on a shared mapping the advice succeeds and
 * leaves the VMA alone.  VM_MAYBE_GUARD ("gu", 6.18): guard_install flags the
 * whole VMA, and the sticky flag never keeps VMAs from merging.
 */
static void madvise_vma_flags_ksm_guard(struct be *b)
{
	EXPECT(b, "map 8", mm(b, R, 8 * PG, RW, PAF), 0);
	EXPECT(b, "touch", touch(b, R, 8 * PG), 0);
	EXPECT(b, "mergeable middle", be_madvise(b, R + 2 * PG, 2 * PG, MADV_MERGEABLE), 0);
	EXPECT(b, "split in 3", nvmas(b), 3);
	EXPECT(b, "middle mg", has_flag(b, R + 2 * PG, "mg"), 1);
	EXPECT(b, "head not mg", has_flag(b, R, "mg"), 0);
	EXPECT(b, "mergeable again: no change", be_madvise(b, R + 2 * PG, 2 * PG, MADV_MERGEABLE), 0);
	EXPECT(b, "still 3", nvmas(b), 3);
	EXPECT(b, "unmergeable all", be_madvise(b, R, 8 * PG, MADV_UNMERGEABLE), 0);
	EXPECT(b, "1 vma", nvmas(b), 1);
	EXPECT(b, "no mg", has_flag(b, R, "mg"), 0);
	EXPECT(b, "data", check(b, R, 8 * PG), 0);
	EXPECT(b, "shared anon", mm(b, R + 8 * PG, 4 * PG, RW, SAF), 0);
	EXPECT(b, "mergeable shared: ok", be_madvise(b, R + 8 * PG, 4 * PG, MADV_MERGEABLE), 0);
	EXPECT(b, "shared not mg", has_flag(b, R + 8 * PG, "mg"), 0);
	EXPECT(b, "munmap shared", be_munmap(b, R + 8 * PG, 4 * PG), 0);

	EXPECT(b, "guard_install", be_madvise(b, R + 5 * PG, PG, MADV_GUARD_INSTALL), 0);
	EXPECT(b, "still 1 vma", nvmas(b), 1);
	EXPECT(b, "gu", has_flag(b, R, "gu"), 1);
	EXPECT(b, "guard_remove", be_madvise(b, R + 5 * PG, PG, MADV_GUARD_REMOVE), 0);
	EXPECT(b, "gu stays", has_flag(b, R, "gu"), 1);
	EXPECT(b, "plain neighbour above", mm(b, R + 8 * PG, 4 * PG, RW, PAF), 0);
	EXPECT(b, "merged with it", vma_is(b, R + 8 * PG, R, R + 12 * PG), 1);
	EXPECT(b, "merged VMA gu", has_flag(b, R + 8 * PG, "gu"), 1);
	EXPECT(b, "mprotect middle r", be_mprotect(b, R + 2 * PG, 2 * PG, PROT_READ), 0);
	EXPECT(b, "split part gu", has_flag(b, R + 2 * PG, "gu"), 1);
	EXPECT(b, "mprotect back", be_mprotect(b, R + 2 * PG, 2 * PG, RW), 0);
	EXPECT(b, "1 vma again", nvmas(b), 1);
	obs_smaps(b, "smaps", R);
	obs_vmas(b, "layout", R, R + DIFF_SPAN);
}
DIFF_TEST(madvise_vma_flags_ksm_guard)

static void many_vmas(struct be *b)
{
	int i, bad = 0;

	for (i = 0; i < 200; i++)
		bad += mm(b, R + i * PG, PG, (i & 1) ? PROT_READ : RW, PAF) != 0;
	EXPECT(b, "200 mmaps", bad, 0);
	EXPECT(b, "200 vmas", nvmas(b), 200);
	EXPECT(b, "all rw", be_mprotect(b, R, 200 * PG, RW), 0);
	EXPECT(b, "1 vma", nvmas(b), 1);
	for (i = 0, bad = 0; i < 200; i += 2)
		bad += be_munmap(b, R + i * PG, PG) != 0;
	EXPECT(b, "100 munmaps", bad, 0);
	EXPECT(b, "100 vmas", nvmas(b), 100);
	EXPECT(b, "munmap all", be_munmap(b, R, 200 * PG), 0);
	EXPECT(b, "none", nvmas(b), 0);
}
DIFF_TEST(many_vmas)

static void smaps_anon(struct be *b)
{
	uint64_t v;
	int i;

	EXPECT(b, "map 16", mm(b, R, 16 * PG, RW, PAF), 0);
	obs_smaps(b, "untouched", R);
	for (i = 0; i < 4; i++)
		EXPECTI(b, "write", i, be_put(b, R + i * PG, 1), 0);
	for (i = 4; i < 8; i++)
		EXPECTI(b, "read", i, be_get(b, R + i * PG, &v), 0);
	/* Zero-page PTEs are not in Rss. */
	obs_smaps(b, "4 written, 4 read", R);
	EXPECT(b, "smaps in a hole", be_smaps(b, R + 32 * PG, &(struct mmlab_smaps){0}),
	       -ENOENT);
}
DIFF_TEST(smaps_anon)

/* ---- model only: smaps after fork ---- */

static void t_smaps_fork(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, R, 16 * PG, RW, 0);
	struct mmlab_smaps sm;

	fill_ok(t, a, 8 * PG, 1);
	assert_int_equal(mmlab_smaps(p, a + 3 * PG, &sm), 0);
	assert_int_equal(sm.start, a);
	assert_int_equal(sm.end, a + 16 * PG);
	assert_int_equal(sm.Size, 64);
	assert_int_equal(sm.Rss, 32);
	assert_int_equal(sm.Pss, 32);
	assert_int_equal(sm.Private_Dirty, 32);
	assert_int_equal(sm.Shared_Dirty, 0);
	assert_int_equal(sm.Anonymous, 32);
	assert_true(vmflag(sm.flags, "rd") && vmflag(sm.flags, "wr"));
	assert_false(vmflag(sm.flags, "sh"));

	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	assert_int_equal(sm.Rss, 32);
	assert_int_equal(sm.Pss, 16);
	assert_int_equal(sm.Shared_Dirty, 32);
	assert_int_equal(sm.Private_Dirty, 0);
	assert_int_equal(sm.Anonymous, 32);
	/* The child copies 2 pages: those are private to each again. */
	fill_ok(mmlab_main_task(c), a, 2 * PG, 2);
	assert_int_equal(mmlab_smaps(c, a, &sm), 0);
	assert_int_equal(sm.Rss, 32);
	assert_int_equal(sm.Private_Dirty, 8);
	assert_int_equal(sm.Shared_Dirty, 24);
	assert_int_equal(sm.Pss, 8 + 12);
	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	assert_int_equal(sm.Private_Dirty, 8);
	assert_int_equal(sm.Shared_Dirty, 24);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	assert_int_equal(sm.Private_Dirty, 32);
	assert_int_equal(sm.Shared_Dirty, 0);
	assert_int_equal(sm.Pss, 32);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_vma_get_bounds(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t s, e;
	int prot, flags, n0 = mmlab_vma_count(p);

	/* The stack of a new process, if any, is far above R. */
	map_anon(p, R, 2 * PG, RW, 0);
	map_anon(p, R + 4 * PG, 2 * PG, PROT_READ, 0);
	assert_int_equal(mmlab_vma_count(p), n0 + 2);
	assert_int_equal(mmlab_vma_get(p, 0, &s, &e, &prot, &flags), 0);
	assert_int_equal(s, R);
	assert_int_equal(e, R + 2 * PG);
	assert_int_equal(prot, RW);
	assert_int_equal(flags & (MAP_SHARED | MAP_PRIVATE), MAP_PRIVATE);
	assert_int_equal(mmlab_vma_get(p, 1, &s, &e, &prot, &flags), 0);
	assert_int_equal(s, R + 4 * PG);
	assert_int_equal(prot, PROT_READ);
	assert_true(mmlab_vma_get(p, n0 + 2, &s, &e, &prot, &flags) < 0);
	assert_true(mmlab_vma_get(p, -1, &s, &e, &prot, &flags) < 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* The VMA of @p holding @a: [*s, *e). */
static void vma_span(struct mmlab_proc *p, uint64_t a, uint64_t *s, uint64_t *e)
{
	struct mmlab_smaps sm;

	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	*s = sm.start;
	*e = sm.end;
}

static void write_pages(struct mmlab_proc *p, uint64_t a, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		put64(mmlab_main_task(p), a + i * PG, i + 1);
}

/*
 * A fork child's written VMA (its anon_vma chain links the parent's anon_vma
 * too) merges with no new neighbour, above or below, neither at mmap nor
 * after the neighbour's first write (which gets an anon_vma of its own)
 * and an mprotect round trip; the parent's VMA merges with both.  A fork
 * child is no merge source either (mprotect of it next to an unwritten
 * VMA of the new protection).  As 6.18 and the selftest merge.c.
 */
static void t_fork_child_no_merge(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	uint64_t a = R + 16 * PG, s, e;

	(void)state;
	map_anon(p, a, 4 * PG, RW, 0);
	write_pages(p, a, 4);
	assert_int_equal(mmlab_fork(p, &c), 0);
	write_pages(c, a, 4);	/* CoW broken: still a fork child */
	for (int child = 0; child < 2; child++) {
		struct mmlab_proc *x = child ? c : p;

		map_anon(x, a + 4 * PG, 2 * PG, RW, 0);
		write_pages(x, a + 4 * PG, 2);
		map_anon(x, a - 2 * PG, 2 * PG, RW, 0);
		write_pages(x, a - 2 * PG, 2);
		assert_int_equal(mmlab_mprotect(mmlab_main_task(x), a + 4 * PG, 2 * PG, PROT_READ), 0);
		assert_int_equal(mmlab_mprotect(mmlab_main_task(x), a + 4 * PG, 2 * PG, RW), 0);
		vma_span(x, a, &s, &e);
		assert_int_equal(s, child ? a : a - 2 * PG);
		assert_int_equal(e, child ? a + 4 * PG : a + 6 * PG);
		vma_span(x, a + 4 * PG, &s, &e);
		assert_int_equal(s, child ? a + 4 * PG : a - 2 * PG);
		/* the source side: an unwritten rwx neighbour, then the VMA
		 * made rwx */
		map_anon(x, a + 4 * PG, 2 * PG, RW | PROT_EXEC, 0);
		assert_int_equal(mmlab_mprotect(mmlab_main_task(x), a, 4 * PG,
						RW | PROT_EXEC), 0);
		vma_span(x, a + 4 * PG, &s, &e);
		assert_int_equal(s, child ? a + 4 * PG : a);
		assert_int_equal(e, a + 6 * PG);
	}
	assert_int_equal(get64(mmlab_main_task(c), a - 2 * PG), 1);
	assert_int_equal(get64(mmlab_main_task(c), a), 1);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_merge_on_mmap),
		cmocka_unit_test(t_mprotect_split_merge),
		cmocka_unit_test(t_mprotect_merges_neighbours),
		cmocka_unit_test(t_munmap_split_remap),
		cmocka_unit_test(t_anon_vma_compat),
		cmocka_unit_test(t_no_merge_kinds),
		cmocka_unit_test(t_madvise_split_merge),
		cmocka_unit_test(t_madvise_vma_flags_ksm_guard),
		cmocka_unit_test(t_many_vmas),
		cmocka_unit_test(t_smaps_anon),
		cmocka_unit_test_setup_teardown(t_smaps_fork, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_vma_get_bounds, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_fork_child_no_merge, setup_machine, teardown_machine),
	};

	return tests_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
