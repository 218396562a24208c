/*
 * test_syscalls.c - every system call's success and error cases.
 *
 * mmap, munmap, mprotect, madvise and memfd are differential: each case runs
 * on the host kernel (in a forked child) and on the model, checks the
 * kernel's documented answer on both, and requires that both backends saw
 * the same errno, signal, data and VMA layout.  fork and exit involve two
 * processes and are checked on the model against fixed expectations.
 */
#include "harness.h"

#define R	DIFF_BASE
#define RW	(PROT_READ | PROT_WRITE)
#define PA	(MAP_PRIVATE | MAP_ANONYMOUS)
#define PAF	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define SAF	(MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED)
#define NOT_A_FD 999
#define MAP_UNKNOWN_FLAG 0x200000	/* no mmap flag uses this bit */

static int mm(struct be *b, uint64_t addr, uint64_t len, int prot, int flags)
{
	uint64_t out;

	return be_mmap(b, addr, len, prot, flags, -1, 0, &out);
}

static int mmfd(struct be *b, uint64_t addr, uint64_t len, int prot, int flags,
		int fd, uint64_t off)
{
	uint64_t out;

	return be_mmap(b, addr, len, prot, flags, fd, off, &out);
}

/* 0 or the signal of a store / load at @a. */
static int wr(struct be *b, uint64_t a)
{
	return be_put(b, a, 0x5a5a5a5a00000000ULL | (a >> 12));
}

static int rd(struct be *b, uint64_t a)
{
	uint64_t v;

	return be_get(b, a, &v);
}

static uint64_t val(struct be *b, uint64_t a)
{
	uint64_t v = 0;

	if (be_get(b, a, &v))
		return UINT64_MAX;
	return v;
}

/* ---- mmap ---- */

static void mmap_anon_private(struct be *b)
{
	uint64_t out = 1;

	EXPECT(b, "mmap fixed rw", be_mmap(b, R, 4 * PG, RW, PAF, -1, 0, &out), 0);
	EXPECT(b, "returned address", out, R);
	EXPECT(b, "fresh page reads 0", val(b, R + 3 * PG), 0);
	EXPECT(b, "store", be_put(b, R + PG + 8, 0x1122334455667788ULL), 0);
	EXPECT(b, "load back", val(b, R + PG + 8), 0x1122334455667788ULL);
	obs_vmas(b, "vmas", R, R + DIFF_SPAN);
}
DIFF_TEST(mmap_anon_private)

static void mmap_hint(struct be *b)
{
	uint64_t out = 0;

	/* A free, aligned hint is taken as is. */
	EXPECT(b, "hint free", be_mmap(b, R + 16 * PG, PG, RW, PA, -1, 0, &out), 0);
	EXPECT(b, "at the hint", out, R + 16 * PG);
	/* A busy hint is not an error: the mapping goes elsewhere. */
	EXPECT(b, "hint busy", be_mmap(b, R + 16 * PG, PG, RW, PA, -1, 0, &out), 0);
	EXPECT(b, "not at the hint", out != R + 16 * PG, 1);
	EXPECT(b, "data at hint kept", wr(b, R + 16 * PG), 0);
	EXPECT(b, "munmap elsewhere", be_munmap(b, out, PG), 0);
	/* An unaligned hint is rounded down to its page. */
	EXPECT(b, "unaligned hint", be_mmap(b, R + 32 * PG + 5, PG, RW, PA, -1, 0, &out), 0);
	OBS(b, "unaligned hint placed at", out - R);
	/*
	 * A hint below mmap_min_addr is raised to it: 64 KiB on both (the
	 * host's sysctl says 4 KiB, but hints use the larger LSM minimum).
	 */
	EXPECT(b, "low hint", be_mmap(b, 0x1000, PG, RW, PA, -1, 0, &out), 0);
	EXPECT(b, "low hint raised to 64 KiB", out, 0x10000);
	EXPECT(b, "munmap low", be_munmap(b, out, PG), 0);
	/* A hint within the first page is no hint at all. */
	EXPECT(b, "hint 0x100", be_mmap(b, 0x100, PG, RW, PA, -1, 0, &out), 0);
	EXPECT(b, "hint 0x100 placed top-down", out > R, 1);
	EXPECT(b, "munmap it", be_munmap(b, out, PG), 0);
	/* No hint: anywhere valid. */
	EXPECT(b, "no hint", be_mmap(b, 0, PG, RW, PA, -1, 0, &out), 0);
	EXPECT(b, "no hint: valid address",
	       out >= b->mmap_min_addr && out + PG <= TASK_SIZE_47 && out % PG == 0, 1);
	EXPECT(b, "no hint: usable", wr(b, out), 0);
	EXPECT(b, "munmap no hint", be_munmap(b, out, PG), 0);
	/* A hint beyond the address space is ignored. */
	EXPECT(b, "hint past TASK_SIZE", be_mmap(b, 1ULL << 47, PG, RW, PA, -1, 0, &out), 0);
	EXPECT(b, "placed below TASK_SIZE", out + PG <= TASK_SIZE_47, 1);
	EXPECT(b, "munmap high", be_munmap(b, out, PG), 0);
}
DIFF_TEST(mmap_hint)

static void mmap_len_zero(struct be *b)
{
	EXPECT(b, "len 0", mm(b, 0, 0, RW, PA), -EINVAL);
	EXPECT(b, "len 0 fixed", mm(b, R, 0, RW, PAF), -EINVAL);
	EXPECT(b, "len 0 shared", mm(b, 0, 0, RW, MAP_SHARED | MAP_ANONYMOUS), -EINVAL);
	obs_vmas(b, "nothing mapped", R, R + DIFF_SPAN);
}
DIFF_TEST(mmap_len_zero)

static void mmap_map_type(struct be *b)
{
	int fd;

	EXPECT(b, "neither private nor shared",
	       mm(b, 0, PG, RW, MAP_ANONYMOUS), -EINVAL);
	EXPECT(b, "neither, fixed",
	       mm(b, R, PG, RW, MAP_ANONYMOUS | MAP_FIXED), -EINVAL);
	obs_vmas(b, "nothing mapped", R, R + DIFF_SPAN);
	/* MAP_SHARED_VALIDATE is for files only. */
	EXPECT(b, "shared_validate anon",
	       mm(b, R, PG, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | MAP_FIXED), -EINVAL);
	EXPECT(b, "shared_validate anon, unknown flag",
	       mm(b, R + 4 * PG, PG, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS |
		  MAP_FIXED | MAP_UNKNOWN_FLAG), -EINVAL);
	fd = be_memfd(b, "sv", PG);
	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "shared_validate memfd",
	       mmfd(b, R + 16 * PG, PG, RW, MAP_SHARED_VALIDATE | MAP_FIXED, fd, 0), 0);
	EXPECT(b, "shared_validate memfd, unknown flag",
	       mmfd(b, R + 20 * PG, PG, RW, MAP_SHARED_VALIDATE | MAP_FIXED |
		    MAP_UNKNOWN_FLAG, fd, 0), -EOPNOTSUPP);
	EXPECT(b, "shared_validate memfd: store", be_put(b, R + 16 * PG, 3), 0);
	/* Plain private/shared ignore unknown flags (legacy). */
	EXPECT(b, "private unknown flag",
	       mm(b, R + 8 * PG, PG, RW, PAF | MAP_UNKNOWN_FLAG), 0);
	EXPECT(b, "shared unknown flag",
	       mm(b, R + 12 * PG, PG, RW, SAF | MAP_UNKNOWN_FLAG), 0);
	obs_vmas(b, "vmas", R, R + DIFF_SPAN);
}
DIFF_TEST(mmap_map_type)

static void mmap_unaligned(struct be *b)
{
	EXPECT(b, "anon offset 1", mmfd(b, 0, PG, RW, PA, -1, 1), -EINVAL);
	EXPECT(b, "anon offset 4095", mmfd(b, R, PG, RW, PAF, -1, PG - 1), -EINVAL);
	EXPECT(b, "fixed addr +1", mm(b, R + 1, PG, RW, PAF), -EINVAL);
	EXPECT(b, "fixed addr +2048", mm(b, R + 2048, PG, RW, PAF), -EINVAL);
	obs_vmas(b, "nothing mapped", R, R + DIFF_SPAN);
	/* The offset of an anonymous mapping is otherwise ignored. */
	EXPECT(b, "anon offset 4096", mmfd(b, R, PG, RW, PAF, -1, PG), 0);
	/* An unaligned length is rounded up. */
	EXPECT(b, "len 1", mm(b, R + 4 * PG, 1, RW, PAF), 0);
	EXPECT(b, "len 1: page usable at its end", wr(b, R + 5 * PG - 8), 0);
	obs_vmas(b, "vmas", R, R + DIFF_SPAN);
}
DIFF_TEST(mmap_unaligned)

static void mmap_bad_fd(struct be *b)
{
	EXPECT(b, "private, fd -1", mmfd(b, 0, PG, RW, MAP_PRIVATE, -1, 0), -EBADF);
	EXPECT(b, "shared, fd -1", mmfd(b, 0, PG, RW, MAP_SHARED, -1, 0), -EBADF);
	EXPECT(b, "private, fd not open",
	       mmfd(b, 0, PG, RW, MAP_PRIVATE, NOT_A_FD, 0), -EBADF);
	EXPECT(b, "shared fixed, fd not open",
	       mmfd(b, R, PG, RW, MAP_SHARED | MAP_FIXED, NOT_A_FD, 0), -EBADF);
	obs_vmas(b, "nothing mapped", R, R + DIFF_SPAN);
	/* Anonymous mappings ignore the fd. */
	EXPECT(b, "anon, fd not open", mmfd(b, R, PG, RW, PAF, NOT_A_FD, 0), 0);
	EXPECT(b, "anon, fd not open: usable", wr(b, R), 0);
}
DIFF_TEST(mmap_bad_fd)

static void mmap_min_addr(struct be *b)
{
	uint64_t min = b->mmap_min_addr;

	EXPECT(b, "fixed at 0", mm(b, 0, PG, RW, PAF), -EPERM);
	EXPECT(b, "fixed just below mmap_min_addr", mm(b, min - PG, PG, RW, PAF), -EPERM);
	EXPECT(b, "fixed below, reaching above", mm(b, min - PG, 2 * PG, RW, PAF), -EPERM);
	EXPECT(b, "fixed at mmap_min_addr", mm(b, min, PG, RW, PAF), 0);
	EXPECT(b, "usable", wr(b, min), 0);
	EXPECT(b, "munmap", be_munmap(b, min, PG), 0);
	/* vm.mmap_min_addr is 4 KiB (this host's): MAP_FIXED below the
	 * LSM's 64 KiB works (cap_mmap_addr checks the sysctl only) */
	EXPECT(b, "fixed at 60 KiB", mm(b, 0xf000, PG, RW, PAF), 0);
	EXPECT(b, "fixed at 60 KiB: usable", wr(b, 0xf000), 0);
	EXPECT(b, "munmap 60 KiB", be_munmap(b, 0xf000, PG), 0);
	if (b->model)
		EXPECT_ONLY(b, "model: mmap_min_addr", b->mmap_min_addr, 0x1000);
}
DIFF_TEST(mmap_min_addr)

static void mmap_huge_len(struct be *b)
{
	EXPECT(b, "len ~0", mm(b, 0, UINT64_MAX, RW, PA), -ENOMEM);
	EXPECT(b, "len ~0 fixed", mm(b, R, UINT64_MAX, RW, PAF), -ENOMEM);
	EXPECT(b, "len 128 TiB", mm(b, 0, 1ULL << 47, RW, PA), -ENOMEM);
	EXPECT(b, "len TASK_SIZE", mm(b, 0, TASK_SIZE_47, RW, PA | MAP_NORESERVE), -ENOMEM);
	EXPECT(b, "fixed, end past TASK_SIZE", mm(b, R, 1ULL << 47, RW, PAF), -ENOMEM);
	EXPECT(b, "fixed at TASK_SIZE", mm(b, TASK_SIZE_47, PG, RW, PAF), -ENOMEM);
	EXPECT(b, "fixed at 128 TiB", mm(b, 1ULL << 47, PG, RW, PAF), -ENOMEM);
	EXPECT(b, "fixed at 2^63", mm(b, 1ULL << 63, PG, RW, PAF), -ENOMEM);
	obs_vmas(b, "nothing mapped", R, R + DIFF_SPAN);
}
DIFF_TEST(mmap_huge_len)

static void mmap_fixed_replaces(struct be *b)
{
	EXPECT(b, "map 4 pages", mm(b, R, 4 * PG, RW, PAF), 0);
	EXPECT(b, "store p0", be_put(b, R, 0xabc), 0);
	EXPECT(b, "store p1", be_put(b, R + PG, 0xdef), 0);
	EXPECT(b, "fixed over p1-p2, ro", mm(b, R + PG, 2 * PG, PROT_READ, PAF), 0);
	obs_vmas(b, "split in 3", R, R + DIFF_SPAN);
	EXPECT(b, "p0 kept", val(b, R), 0xabc);
	EXPECT(b, "p1 is new (zero)", val(b, R + PG), 0);
	EXPECT(b, "p1 is read-only", wr(b, R + PG), MMLAB_SIGSEGV);
	EXPECT(b, "p3 writable", wr(b, R + 3 * PG), 0);
}
DIFF_TEST(mmap_fixed_replaces)

static void mmap_populate(struct be *b)
{
	EXPECT(b, "no populate", mm(b, R, 4 * PG, RW, PAF), 0);
	obs_pagemap(b, "not populated", R, 4);
	EXPECT(b, "populate rw", mm(b, R + 8 * PG, 4 * PG, RW, PAF | MAP_POPULATE), 0);
	obs_pagemap(b, "populated rw", R + 8 * PG, 4);
	EXPECT(b, "populate ro", mm(b, R + 16 * PG, 4 * PG, PROT_READ, PAF | MAP_POPULATE), 0);
	obs_pagemap(b, "populated ro", R + 16 * PG, 4);
	EXPECT(b, "populate shared",
	       mm(b, R + 24 * PG, 4 * PG, RW, SAF | MAP_POPULATE), 0);
	obs_pagemap(b, "populated shared", R + 24 * PG, 4);
	EXPECT(b, "populated rw reads 0", val(b, R + 9 * PG), 0);
}
DIFF_TEST(mmap_populate)

static void mmap_prot(struct be *b)
{
	uint64_t fa = 0, v;

	EXPECT(b, "prot none", mm(b, R, 2 * PG, PROT_NONE, PAF), 0);
	EXPECT(b, "read prot none", be_read(b, R + PG + 16, &v, 8, &fa), MMLAB_SIGSEGV);
	EXPECT(b, "fault address", fa, R + PG + 16);
	EXPECT(b, "write prot none", wr(b, R), MMLAB_SIGSEGV);
	EXPECT(b, "prot read", mm(b, R + 4 * PG, PG, PROT_READ, PAF), 0);
	EXPECT(b, "read prot read", rd(b, R + 4 * PG), 0);
	EXPECT(b, "write prot read", wr(b, R + 4 * PG), MMLAB_SIGSEGV);
	EXPECT(b, "prot rwx", mm(b, R + 8 * PG, PG, RW | PROT_EXEC, PAF), 0);
	EXPECT(b, "write rwx", wr(b, R + 8 * PG), 0);
	/* mmap, unlike mprotect, ignores unknown prot bits. */
	EXPECT(b, "prot 0x100", mm(b, R + 12 * PG, PG, RW | 0x100, PAF), 0);
	obs_vmas(b, "vmas", R, R + DIFF_SPAN);
}
DIFF_TEST(mmap_prot)

static void mmap_noreserve(struct be *b)
{
	EXPECT(b, "noreserve 256 MiB", mm(b, R, 256 * MiB, RW, PAF | MAP_NORESERVE), 0);
	EXPECT(b, "write first", wr(b, R), 0);
	EXPECT(b, "write last", wr(b, R + 256 * MiB - 8), 0);
	obs_pagemap(b, "pagemap first", R, 2);
}
DIFF_TEST(mmap_noreserve)

static void mmap_access_crossing(struct be *b)
{
	uint8_t buf[64] = { 1, 2, 3 };
	uint64_t fa = 0;

	EXPECT(b, "map 1 page", mm(b, R, PG, RW, PAF), 0);
	EXPECT(b, "write across the end", be_write(b, R + PG - 16, buf, 64, &fa),
	       MMLAB_SIGSEGV);
	EXPECT(b, "faults at the end", fa, R + PG);
	/* Bytes before the fault were written. */
	EXPECT(b, "head written", val(b, R + PG - 16) & 0xffffff, 0x030201);
	EXPECT(b, "read across the end", be_read(b, R + PG - 8, buf, 64, &fa), MMLAB_SIGSEGV);
	EXPECT(b, "read faults at the end", fa, R + PG);
}
DIFF_TEST(mmap_access_crossing)

/* ---- munmap ---- */

static void munmap_errors(struct be *b)
{
	EXPECT(b, "map", mm(b, R, 4 * PG, RW, PAF), 0);
	EXPECT(b, "store", be_put(b, R + 3 * PG, 77), 0);
	EXPECT(b, "unaligned", be_munmap(b, R + 1, PG), -EINVAL);
	EXPECT(b, "unaligned 2048", be_munmap(b, R + 2048, PG), -EINVAL);
	EXPECT(b, "len 0", be_munmap(b, R, 0), -EINVAL);
	EXPECT(b, "len ~0", be_munmap(b, R, UINT64_MAX), -EINVAL);
	EXPECT(b, "len huge", be_munmap(b, R, UINT64_MAX & ~(PG - 1)), -EINVAL);
	EXPECT(b, "at 128 TiB", be_munmap(b, 1ULL << 47, PG), -EINVAL);
	EXPECT(b, "crossing TASK_SIZE", be_munmap(b, TASK_SIZE_47 - PG, 2 * PG), -EINVAL);
	EXPECT(b, "nothing mapped there", be_munmap(b, R + GiB, 16 * PG), 0);
	EXPECT(b, "at 0", be_munmap(b, 0, PG), 0);
	obs_vmas(b, "unchanged", R, R + DIFF_SPAN);
	EXPECT(b, "data intact", val(b, R + 3 * PG), 77);
}
DIFF_TEST(munmap_errors)

static void munmap_partial(struct be *b)
{
	uint64_t fa = 0, v;

	EXPECT(b, "map", mm(b, R, 4 * PG, RW, PAF), 0);
	EXPECT(b, "store p1", be_put(b, R + PG, 11), 0);
	EXPECT(b, "store p3", be_put(b, R + 3 * PG, 33), 0);
	EXPECT(b, "len 1 unmaps a page", be_munmap(b, R, 1), 0);
	EXPECT(b, "p0 gone", be_read(b, R + 8, &v, 8, &fa), MMLAB_SIGSEGV);
	EXPECT(b, "fault at p0", fa, R + 8);
	EXPECT(b, "p1 kept", val(b, R + PG), 11);
	EXPECT(b, "unmap p2", be_munmap(b, R + 2 * PG, PG), 0);
	EXPECT(b, "p2 gone", rd(b, R + 2 * PG), MMLAB_SIGSEGV);
	EXPECT(b, "p3 kept", val(b, R + 3 * PG), 33);
	obs_vmas(b, "two left", R, R + DIFF_SPAN);
	/* Unmapping across several VMAs and holes. */
	EXPECT(b, "map ro", mm(b, R + 8 * PG, 2 * PG, PROT_READ, PAF), 0);
	EXPECT(b, "unmap across", be_munmap(b, R + PG, 8 * PG), 0);
	obs_vmas(b, "after unmap across", R, R + DIFF_SPAN);
	EXPECT(b, "p9 kept", rd(b, R + 9 * PG), 0);
}
DIFF_TEST(munmap_partial)

/* ---- mprotect ---- */

static void mprotect_errors(struct be *b)
{
	EXPECT(b, "map", mm(b, R, 4 * PG, RW, PAF), 0);
	EXPECT(b, "unaligned", be_mprotect(b, R + 1, PG, PROT_READ), -EINVAL);
	EXPECT(b, "bad prot 0x100", be_mprotect(b, R, PG, 0x100), -EINVAL);
	EXPECT(b, "bad prot ~0", be_mprotect(b, R, PG, -1), -EINVAL);
	EXPECT(b, "growsdown|growsup",
	       be_mprotect(b, R, PG, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), -EINVAL);
	EXPECT(b, "growsdown on a normal vma",
	       be_mprotect(b, R, PG, PROT_READ | PROT_GROWSDOWN), -EINVAL);
	EXPECT(b, "len 0", be_mprotect(b, R, 0, PROT_READ), 0);
	EXPECT(b, "len 0, bad prot (len checked first)", be_mprotect(b, R, 0, 0x100), 0);
	EXPECT(b, "wrapping end", be_mprotect(b, R, UINT64_MAX & ~(PG - 1), PROT_READ), -ENOMEM);
	EXPECT(b, "unmapped", be_mprotect(b, R + GiB, PG, PROT_READ), -ENOMEM);
	EXPECT(b, "at 128 TiB", be_mprotect(b, 1ULL << 47, PG, PROT_READ), -ENOMEM);
	obs_vmas(b, "unchanged", R, R + DIFF_SPAN);
	EXPECT(b, "still writable", wr(b, R), 0);
	EXPECT(b, "len 1 is a page", be_mprotect(b, R, 1, PROT_READ), 0);
	EXPECT(b, "p0 read-only", wr(b, R), MMLAB_SIGSEGV);
	EXPECT(b, "p0 readable", rd(b, R), 0);
	EXPECT(b, "p1 writable", wr(b, R + PG), 0);
	obs_vmas(b, "split", R, R + DIFF_SPAN);
}
DIFF_TEST(mprotect_errors)

static void mprotect_hole(struct be *b)
{
	EXPECT(b, "map a", mm(b, R, 2 * PG, RW, PAF), 0);
	EXPECT(b, "map b", mm(b, R + 3 * PG, 2 * PG, RW, PAF), 0);
	EXPECT(b, "store a", be_put(b, R, 1), 0);
	EXPECT(b, "store b", be_put(b, R + 3 * PG, 2), 0);
	/* ENOMEM, after acting on the part before the hole. */
	EXPECT(b, "over the hole", be_mprotect(b, R, 5 * PG, PROT_READ), -ENOMEM);
	EXPECT(b, "a is read-only", wr(b, R), MMLAB_SIGSEGV);
	EXPECT(b, "a (2nd page) is read-only", wr(b, R + PG), MMLAB_SIGSEGV);
	EXPECT(b, "b after the hole: untouched", wr(b, R + 3 * PG), 0);
	obs_vmas(b, "vmas", R, R + DIFF_SPAN);
	/* Starting in the hole: nothing done. */
	EXPECT(b, "map c", mm(b, R + 8 * PG, 2 * PG, RW, PAF), 0);
	EXPECT(b, "from the hole", be_mprotect(b, R + 7 * PG, 3 * PG, PROT_READ), -ENOMEM);
	EXPECT(b, "c still writable", wr(b, R + 8 * PG), 0);
	EXPECT(b, "a data", val(b, R), 1);
}
DIFF_TEST(mprotect_hole)

static void mprotect_roundtrip(struct be *b)
{
	EXPECT(b, "map", mm(b, R, 4 * PG, RW, PAF), 0);
	EXPECT(b, "store", be_put(b, R + 2 * PG, 0x77), 0);
	EXPECT(b, "to none", be_mprotect(b, R, 4 * PG, PROT_NONE), 0);
	EXPECT(b, "none: read", rd(b, R + 2 * PG), MMLAB_SIGSEGV);
	EXPECT(b, "to read", be_mprotect(b, R, 4 * PG, PROT_READ), 0);
	EXPECT(b, "read: data", val(b, R + 2 * PG), 0x77);
	EXPECT(b, "read: write", wr(b, R + 2 * PG), MMLAB_SIGSEGV);
	EXPECT(b, "to rw", be_mprotect(b, R, 4 * PG, RW), 0);
	EXPECT(b, "rw: write", be_put(b, R + 2 * PG, 0x78), 0);
	EXPECT(b, "rw: data", val(b, R + 2 * PG), 0x78);
	obs_vmas(b, "one vma", R, R + DIFF_SPAN);
}
DIFF_TEST(mprotect_roundtrip)

/* ---- madvise ---- */

static void madvise_errors(struct be *b)
{
	EXPECT(b, "map", mm(b, R, 4 * PG, RW, PAF), 0);
	EXPECT(b, "store", be_put(b, R, 5), 0);
	EXPECT(b, "advice 5", be_madvise(b, R, PG, 5), -EINVAL);
	EXPECT(b, "advice 7", be_madvise(b, R, PG, 7), -EINVAL);
	EXPECT(b, "advice 12345", be_madvise(b, R, PG, 12345), -EINVAL);
	EXPECT(b, "advice -1", be_madvise(b, R, PG, -1), -EINVAL);
	EXPECT(b, "bad advice, len 0", be_madvise(b, R, 0, 12345), -EINVAL);
	EXPECT(b, "unaligned", be_madvise(b, R + 1, PG, MADV_DONTNEED), -EINVAL);
	EXPECT(b, "len 0", be_madvise(b, R, 0, MADV_DONTNEED), 0);
	EXPECT(b, "wrapping end", be_madvise(b, R, UINT64_MAX & ~(PG - 1), MADV_DONTNEED), -EINVAL);
	EXPECT(b, "unmapped", be_madvise(b, R + GiB, PG, MADV_DONTNEED), -ENOMEM);
	EXPECT(b, "unmapped willneed", be_madvise(b, R + GiB, PG, MADV_WILLNEED), -ENOMEM);
	EXPECT(b, "remove on private anon", be_madvise(b, R, PG, MADV_REMOVE), -EINVAL);
	EXPECT(b, "data intact", val(b, R), 5);
	EXPECT(b, "map shared", mm(b, R + 8 * PG, 4 * PG, RW, SAF), 0);
	EXPECT(b, "free on shared anon", be_madvise(b, R + 8 * PG, PG, MADV_FREE), -EINVAL);
	EXPECT(b, "willneed", be_madvise(b, R, 4 * PG, MADV_WILLNEED), 0);
	EXPECT(b, "hugepage", be_madvise(b, R, 4 * PG, MADV_HUGEPAGE), 0);
	EXPECT(b, "nohugepage", be_madvise(b, R, 4 * PG, MADV_NOHUGEPAGE), 0);
	EXPECT(b, "data intact after", val(b, R), 5);
}
DIFF_TEST(madvise_errors)

static void madvise_hole(struct be *b)
{
	EXPECT(b, "map a", mm(b, R, 2 * PG, RW, PAF), 0);
	EXPECT(b, "map b", mm(b, R + 3 * PG, 2 * PG, RW, PAF), 0);
	EXPECT(b, "store a", be_put(b, R, 1), 0);
	EXPECT(b, "store b", be_put(b, R + 3 * PG, 2), 0);
	EXPECT(b, "dontneed over the hole", be_madvise(b, R, 5 * PG, MADV_DONTNEED), -ENOMEM);
	EXPECT(b, "a zapped", val(b, R), 0);
	/* Unlike mprotect, madvise goes on past the hole. */
	EXPECT(b, "b after the hole zapped too", val(b, R + 3 * PG), 0);
	EXPECT(b, "from the hole", be_madvise(b, R + 2 * PG, 3 * PG, MADV_DONTNEED), -ENOMEM);
}
DIFF_TEST(madvise_hole)

static void madvise_dontneed_free(struct be *b)
{
	struct mmlab_status s0, s1;
	int i;

	EXPECT(b, "map", mm(b, R, 8 * PG, RW, PAF), 0);
	for (i = 0; i < 8; i++)
		EXPECTI(b, "store", i, be_put(b, R + i * PG, 100 + i), 0);
	EXPECT(b, "status", be_status(b, &s0), 0);
	EXPECT(b, "dontneed p2-p3", be_madvise(b, R + 2 * PG, 2 * PG, MADV_DONTNEED), 0);
	obs_pagemap(b, "pagemap after dontneed", R, 8);
	EXPECT(b, "status", be_status(b, &s1), 0);
	EXPECT_RSS(b, "RssAnon -8 kB", (int64_t)s0.RssAnon - (int64_t)s1.RssAnon, 8);
	EXPECT(b, "p2 zero", val(b, R + 2 * PG), 0);
	EXPECT(b, "p3 zero", val(b, R + 3 * PG), 0);
	EXPECT(b, "p1 kept", val(b, R + PG), 101);
	EXPECT(b, "p4 kept", val(b, R + 4 * PG), 104);
	/* MADV_FREE: without memory pressure the data stays until reclaim. */
	EXPECT(b, "free p5-p7", be_madvise(b, R + 5 * PG, 3 * PG, MADV_FREE), 0);
	obs_pagemap(b, "pagemap after free", R + 5 * PG, 3);
	OBS(b, "p5 after free", val(b, R + 5 * PG));
	EXPECT(b, "write after free", be_put(b, R + 6 * PG, 0x66), 0);
	EXPECT(b, "kept after write", val(b, R + 6 * PG), 0x66);
}
DIFF_TEST(madvise_dontneed_free)

static void madvise_memfd(struct be *b)
{
	int fd = be_memfd(b, "madv", 4 * PG);

	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "map shared", mmfd(b, R, 4 * PG, RW, MAP_SHARED | MAP_FIXED, fd, 0), 0);
	EXPECT(b, "map shared again",
	       mmfd(b, R + 8 * PG, 4 * PG, RW, MAP_SHARED | MAP_FIXED, fd, 0), 0);
	EXPECT(b, "store p0", be_put(b, R, 0x10), 0);
	EXPECT(b, "store p1", be_put(b, R + PG, 0x11), 0);
	EXPECT(b, "seen by the other mapping", val(b, R + 8 * PG), 0x10);
	/* DONTNEED drops the PTEs, not the page cache. */
	EXPECT(b, "dontneed", be_madvise(b, R, 4 * PG, MADV_DONTNEED), 0);
	obs_pagemap(b, "pagemap after dontneed", R, 2);
	EXPECT(b, "p0 still there", val(b, R), 0x10);
	/* REMOVE punches a hole in the file. */
	EXPECT(b, "remove p1", be_madvise(b, R + PG, PG, MADV_REMOVE), 0);
	EXPECT(b, "p1 zero", val(b, R + PG), 0);
	EXPECT(b, "p1 zero in the other mapping", val(b, R + 9 * PG), 0);
	EXPECT(b, "p0 kept", val(b, R + 8 * PG), 0x10);
	EXPECT(b, "willneed", be_madvise(b, R, 4 * PG, MADV_WILLNEED), 0);
	EXPECT(b, "close", be_close(b, fd), 0);
}
DIFF_TEST(madvise_memfd)

/* ---- memfd ---- */

static void memfd_calls(struct be *b)
{
	static char name249[250], name250[251];
	int fd, fd2;

	memset(name249, 'a', 249);
	memset(name250, 'a', 250);
	fd = be_memfd(b, "m", 2 * PG);
	EXPECT(b, "memfd", fd >= 0, 1);
	fd2 = be_memfd(b, name249, PG);
	EXPECT(b, "name of 249 bytes", fd2 >= 0, 1);
	EXPECT(b, "close it", be_close(b, fd2), 0);
	EXPECT(b, "name of 250 bytes", be_memfd(b, name250, PG), -EINVAL);
	EXPECT(b, "size ~0", be_memfd(b, "big", UINT64_MAX), -EINVAL);
	fd2 = be_memfd(b, "empty", 0);
	EXPECT(b, "size 0", fd2 >= 0, 1);
	EXPECT(b, "map size 0", mmfd(b, R + 32 * PG, PG, RW, MAP_SHARED | MAP_FIXED, fd2, 0), 0);
	EXPECT(b, "access size 0", rd(b, R + 32 * PG), MMLAB_SIGBUS);
	EXPECT(b, "close not open", be_close(b, NOT_A_FD), -EBADF);
	EXPECT(b, "close -1", be_close(b, -1), -EBADF);
	EXPECT(b, "map", mmfd(b, R, 2 * PG, RW, MAP_SHARED | MAP_FIXED, fd, 0), 0);
	EXPECT(b, "store", be_put(b, R + PG, 0xfeed), 0);
	EXPECT(b, "close", be_close(b, fd), 0);
	EXPECT(b, "close twice", be_close(b, fd), -EBADF);
	EXPECT(b, "map a closed fd",
	       mmfd(b, R + 8 * PG, PG, RW, MAP_SHARED | MAP_FIXED, fd, 0), -EBADF);
	/* The mapping keeps the file alive. */
	EXPECT(b, "data after close", val(b, R + PG), 0xfeed);
	EXPECT(b, "write after close", be_put(b, R, 1), 0);
}
DIFF_TEST(memfd_calls)

static void memfd_map(struct be *b)
{
	uint64_t fa = 0, v;
	int fd = be_memfd(b, "map", 2 * PG);

	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "shared, past EOF", mmfd(b, R, 3 * PG, RW, MAP_SHARED | MAP_FIXED, fd, 0), 0);
	EXPECT(b, "store p0", be_put(b, R, 0xa0), 0);
	EXPECT(b, "store p1", be_put(b, R + PG, 0xa1), 0);
	EXPECT(b, "read past EOF", be_read(b, R + 2 * PG + 8, &v, 8, &fa), MMLAB_SIGBUS);
	EXPECT(b, "SIGBUS address", fa, R + 2 * PG + 8);
	EXPECT(b, "write past EOF", wr(b, R + 2 * PG), MMLAB_SIGBUS);
	EXPECT(b, "private, past EOF",
	       mmfd(b, R + 8 * PG, 3 * PG, RW, MAP_PRIVATE | MAP_FIXED, fd, 0), 0);
	EXPECT(b, "private reads the file", val(b, R + 8 * PG), 0xa0);
	EXPECT(b, "private past EOF", rd(b, R + 10 * PG), MMLAB_SIGBUS);
	EXPECT(b, "offset 4096", mmfd(b, R + 16 * PG, PG, RW, MAP_SHARED | MAP_FIXED, fd, PG), 0);
	EXPECT(b, "offset data", val(b, R + 16 * PG), 0xa1);
	EXPECT(b, "unaligned offset",
	       mmfd(b, R + 20 * PG, PG, RW, MAP_SHARED | MAP_FIXED, fd, 100), -EINVAL);
	EXPECT(b, "offset near 2^63",
	       mmfd(b, R + 20 * PG, PG, RW, MAP_SHARED | MAP_FIXED, fd,
		    (1ULL << 63) - PG), -EOVERFLOW);
	EXPECT(b, "offset past EOF, in range",
	       mmfd(b, R + 24 * PG, PG, RW, MAP_SHARED | MAP_FIXED, fd, 64 * PG), 0);
	EXPECT(b, "access there", rd(b, R + 24 * PG), MMLAB_SIGBUS);
	obs_vmas(b, "vmas", R, R + DIFF_SPAN);
	EXPECT(b, "close", be_close(b, fd), 0);
}
DIFF_TEST(memfd_map)

/* ---- fork and exit (model) ---- */

static void t_fork_basic(void **state)
{
	struct mmlab_proc *p = spawn(), *c = NULL;
	struct mmlab_task *t = mmlab_main_task(p), *ct;
	uint64_t a = map_anon(p, 0, 16 * PG, RW, 0);
	int nv;

	fill_ok(t, a, 16 * PG, 1);
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_non_null(c);
	assert_true(mmlab_pid(c) != mmlab_pid(p));
	ct = mmlab_main_task(c);
	assert_non_null(ct);
	assert_int_equal(mmlab_task_cpu(ct), 0);
	assert_ptr_equal(mmlab_task_proc(ct), c);
	/* Same layout, same data. */
	nv = mmlab_vma_count(p);
	assert_int_equal(mmlab_vma_count(c), nv);
	for (int i = 0; i < nv; i++) {
		uint64_t s1, e1, s2, e2;
		int p1, f1, p2, f2;

		assert_int_equal(mmlab_vma_get(p, i, &s1, &e1, &p1, &f1), 0);
		assert_int_equal(mmlab_vma_get(c, i, &s2, &e2, &p2, &f2), 0);
		assert_int_equal(s1, s2);
		assert_int_equal(e1, e2);
		assert_int_equal(p1, p2);
	}
	verify_ok(ct, a, 16 * PG, 1);
	/* Writes stay private to each. */
	fill_ok(ct, a, 8 * PG, 2);
	verify_ok(t, a, 16 * PG, 1);
	fill_ok(t, a + 8 * PG, 8 * PG, 3);
	verify_ok(ct, a + 8 * PG, 8 * PG, 1);
	verify_ok(ct, a, 8 * PG, 2);
	/* A mapping made by the child is not in the parent. */
	map_anon(c, DIFF_BASE, PG, RW, 0);
	assert_int_equal(mmlab_vma_count(p), nv);
	assert_int_equal(mmlab_exit(c), 0);
	verify_ok(t, a, 8 * PG, 1);
	verify_ok(t, a + 8 * PG, 8 * PG, 3);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_fork_of_fork(void **state)
{
	struct mmlab_proc *p = spawn(), *c, *g;
	uint64_t a = map_anon(p, 0, 4 * PG, RW, 0);

	fill_ok(mmlab_main_task(p), a, 4 * PG, 9);
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(mmlab_fork(c, &g), 0);
	assert_true(mmlab_pid(g) != mmlab_pid(c) && mmlab_pid(g) != mmlab_pid(p));
	assert_int_equal(mmlab_exit(c), 0);
	verify_ok(mmlab_main_task(g), a, 4 * PG, 9);
	fill_ok(mmlab_main_task(g), a, 4 * PG, 10);
	verify_ok(mmlab_main_task(p), a, 4 * PG, 9);
	assert_int_equal(mmlab_exit(g), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_exit_releases(void **state)
{
	uint64_t anon00 = vmstat("nr_anon_pages");
	uint64_t pt0 = vmstat("nr_page_table_pages");
	struct mmlab_proc *p = spawn(), *c;
	uint64_t anon0 = vmstat("nr_anon_pages");	/* with p's stack page */
	uint64_t a = map_anon(p, 0, 64 * PG, RW, 0);

	fill_ok(mmlab_main_task(p), a, 64 * PG, 4);
	assert_int_equal(vmstat("nr_anon_pages") - anon0, 64);
	assert_true(vmstat("nr_page_table_pages") > pt0);
	assert_int_equal(mmlab_fork(p, &c), 0);
	/* Shared after fork: counted once. */
	assert_int_equal(vmstat("nr_anon_pages") - anon0, 64);
	fill_ok(mmlab_main_task(c), a, 16 * PG, 5);
	assert_int_equal(vmstat("nr_anon_pages") - anon0, 80);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(vmstat("nr_anon_pages") - anon0, 64);
	assert_int_equal(mmlab_exit(p), 0);
	assert_int_equal(vmstat("nr_anon_pages"), anon00);
	assert_int_equal(vmstat_settle("nr_page_table_pages", pt0), pt0);
}

/*
 * A new process: the model gives it what a process has when it starts
 * running (a stack VMA with its top page touched), so only deltas are
 * checked here.
 */
static void t_spawn(void **state)
{
	struct mmlab_proc *p = spawn(), *q = spawn();
	struct mmlab_status st = status_of(p), st2;
	int n = mmlab_vma_count(p);

	assert_true(mmlab_pid(p) != mmlab_pid(q));
	assert_true(n >= 0 && n <= 1);
	assert_int_equal(st.RssFile, 0);
	assert_int_equal(st.RssShmem, 0);
	assert_int_equal(st.VmSwap, 0);
	assert_true(st.RssAnon <= 4);
	assert_int_equal(st.VmRSS, st.RssAnon + st.RssFile + st.RssShmem);
	assert_int_equal(mmlab_task_cpu(mmlab_main_task(p)), 0);
	/* VmSize and VmRSS follow the mappings. */
	map_anon(p, 0, 40 * PG, RW, 0);
	st2 = status_of(p);
	assert_int_equal(st2.VmSize - st.VmSize, 160);
	assert_int_equal(st2.VmRSS, st.VmRSS);
	assert_int_equal(mmlab_vma_count(p), n + 1);
	assert_int_equal(mmlab_exit(q), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_mmap_anon_private),
		cmocka_unit_test(t_mmap_hint),
		cmocka_unit_test(t_mmap_len_zero),
		cmocka_unit_test(t_mmap_map_type),
		cmocka_unit_test(t_mmap_unaligned),
		cmocka_unit_test(t_mmap_bad_fd),
		cmocka_unit_test(t_mmap_min_addr),
		cmocka_unit_test(t_mmap_huge_len),
		cmocka_unit_test(t_mmap_fixed_replaces),
		cmocka_unit_test(t_mmap_populate),
		cmocka_unit_test(t_mmap_prot),
		cmocka_unit_test(t_mmap_noreserve),
		cmocka_unit_test(t_mmap_access_crossing),
		cmocka_unit_test(t_munmap_errors),
		cmocka_unit_test(t_munmap_partial),
		cmocka_unit_test(t_mprotect_errors),
		cmocka_unit_test(t_mprotect_hole),
		cmocka_unit_test(t_mprotect_roundtrip),
		cmocka_unit_test(t_madvise_errors),
		cmocka_unit_test(t_madvise_hole),
		cmocka_unit_test(t_madvise_dontneed_free),
		cmocka_unit_test(t_madvise_memfd),
		cmocka_unit_test(t_memfd_calls),
		cmocka_unit_test(t_memfd_map),
		cmocka_unit_test_setup_teardown(t_fork_basic, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_fork_of_fork, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_exit_releases, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_spawn, setup_machine, teardown_machine),
	};

	return tests_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
