/*
 * test_memfd.c - memfd size changes and seals: ftruncate (shrinking unmaps
 * and frees, private copies too; SIGBUS past the end; the last page's tail
 * zeroed), fallocate (errnos, allocation with and without KEEP_SIZE,
 * fault-around skipping pages not yet used, hole punching that keeps
 * private copies), memfd_create flags and seals (F_ADD_SEALS/F_GET_SEALS
 * and every errno, WRITE and FUTURE_WRITE against mmap, mprotect and
 * MADV_REMOVE), and a read-only (and a write-only) reopen of a memfd.
 *
 * Differential cases run on this kernel and on the model; the unit and
 * concurrency cases check the model alone: a file of 2^62 bytes, a
 * fallocate that runs out of memory and gives back what it took, and
 * truncation racing with faults on other CPUs (stale-TLB detector on).
 */
#include <pthread.h>
#include <linux/falloc.h>

#include "harness.h"

#define A		DIFF_BASE
#define RW		(PROT_READ | PROT_WRITE)
#define NOT_A_FD	60
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef MADV_REMOVE
#define MADV_REMOVE 9
#endif
#define S_SEAL		MMLAB_F_SEAL_SEAL
#define S_SHRINK	MMLAB_F_SEAL_SHRINK
#define S_GROW		MMLAB_F_SEAL_GROW
#define S_WRITE		MMLAB_F_SEAL_WRITE
#define S_FWRITE	MMLAB_F_SEAL_FUTURE_WRITE
#define S_EXEC		MMLAB_F_SEAL_EXEC
#define PUNCH		(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)

/* mmap at @addr exactly (MAP_FIXED_NOREPLACE): 0 or -errno */
static int map_at(struct be *b, uint64_t addr, uint64_t len, int prot, int flags, int fd)
{
	uint64_t out = 0;
	int ret = be_mmap(b, addr, len, prot, flags | MAP_FIXED_NOREPLACE, fd, 0, &out);

	return ret ? ret : out == addr ? 0 : -EFAULT;
}

/* A load of 8 bytes: the value, or -(the signal) */
static int64_t val(struct be *b, uint64_t addr)
{
	uint64_t v = 0;
	int ret = be_get(b, addr, &v);

	return ret ? -ret : (int64_t)v;
}

static int wr(struct be *b, uint64_t addr, uint64_t v)
{
	return be_put(b, addr, v);
}

static int64_t rss_shmem(struct be *b)
{
	struct mmlab_status st;

	return be_status(b, &st) ? -1 : (int64_t)st.RssShmem;
}

static int64_t rss_anon(struct be *b)
{
	struct mmlab_status st;

	return be_status(b, &st) ? -1 : (int64_t)st.RssAnon;
}

/* Does the VMA at @addr have the VmFlags token @tok? -1: no VMA. */
static int has_flag(struct be *b, uint64_t addr, const char *tok)
{
	struct mmlab_smaps sm;

	if (be_smaps(b, addr, &sm))
		return -1;
	return vmflag(sm.flags, tok);
}

/* A sealable memfd of @len: the fd (or -errno). */
static int sealable(struct be *b, uint64_t len)
{
	int fd = be_memfd_create(b, "sealed", MMLAB_MFD_ALLOW_SEALING);

	if (fd >= 0 && be_ftruncate(b, fd, (int64_t)len))
		return -EIO;
	return fd;
}

/* ---- memfd_create flags and the seals' own errnos ---- */

static void seals_create(struct be *b)
{
	static char name250[251];
	int fd = be_memfd_create(b, "s", MMLAB_MFD_ALLOW_SEALING);
	int plain = be_memfd_create(b, "plain", 0);
	int ne = be_memfd_create(b, "noexec", MMLAB_MFD_NOEXEC_SEAL);
	int ex;

	memset(name250, 'a', 250);
	EXPECT(b, "memfd allow_sealing", fd >= 0, 1);
	EXPECT(b, "  no seals", be_get_seals(b, fd), 0);
	EXPECT(b, "memfd without allow_sealing", plain >= 0, 1);
	EXPECT(b, "  sealed with F_SEAL_SEAL", be_get_seals(b, plain), S_SEAL);
	EXPECT(b, "  add_seals EPERM", be_add_seals(b, plain, S_SHRINK), -EPERM);
	EXPECT(b, "unknown seal bit EINVAL", be_add_seals(b, fd, 0x40), -EINVAL);
	EXPECT(b, "no seal at all", be_add_seals(b, fd, 0), 0);
	EXPECT(b, "get_seals bad fd", be_get_seals(b, NOT_A_FD), -EBADF);
	EXPECT(b, "add_seals bad fd", be_add_seals(b, NOT_A_FD, S_GROW), -EBADF);
	EXPECT(b, "unknown memfd flag", be_memfd_create(b, "x", 0x40), -EINVAL);
	EXPECT(b, "EXEC with NOEXEC_SEAL",
	       be_memfd_create(b, "x", MMLAB_MFD_EXEC | MMLAB_MFD_NOEXEC_SEAL), -EINVAL);
	EXPECT(b, "name of 250 bytes", be_memfd_create(b, name250, 0), -EINVAL);
	EXPECT(b, "memfd noexec_seal", ne >= 0, 1);
	EXPECT(b, "  sealed with F_SEAL_EXEC only", be_get_seals(b, ne), S_EXEC);
	EXPECT(b, "  and sealable", be_add_seals(b, ne, S_SHRINK), 0);
	EXPECT(b, "  seals", be_get_seals(b, ne), S_EXEC | S_SHRINK);
	EXPECT(b, "  F_SEAL_EXEC again: nothing implied (mode 0666)",
	       be_add_seals(b, ne, S_EXEC), 0);
	EXPECT(b, "  seals still", be_get_seals(b, ne), S_EXEC | S_SHRINK);
	/* F_SEAL_EXEC on an executable memfd implies every write seal */
	ex = be_memfd_create(b, "exec", MMLAB_MFD_ALLOW_SEALING | MMLAB_MFD_EXEC);
	EXPECT(b, "memfd exec", ex >= 0, 1);
	EXPECT(b, "  F_SEAL_EXEC", be_add_seals(b, ex, S_EXEC), 0);
	EXPECT(b, "  implies shrink, grow, write, future_write", be_get_seals(b, ex),
	       S_EXEC | S_SHRINK | S_GROW | S_WRITE | S_FWRITE);
	EXPECT(b, "  grow refused", be_ftruncate(b, ex, PG), -EPERM);
	EXPECT(b, "F_SEAL_SEAL", be_add_seals(b, fd, S_SEAL | S_SHRINK), 0);
	EXPECT(b, "  seals", be_get_seals(b, fd), S_SEAL | S_SHRINK);
	EXPECT(b, "  another seal EPERM", be_add_seals(b, fd, S_GROW), -EPERM);
	EXPECT(b, "  no seal at all EPERM", be_add_seals(b, fd, 0), -EPERM);
	EXPECT(b, "  F_SEAL_SEAL again EPERM", be_add_seals(b, fd, S_SEAL), -EPERM);
	be_close(b, ex);
	be_close(b, ne);
	be_close(b, plain);
	be_close(b, fd);
}
DIFF_TEST(seals_create)

/* ---- size seals ---- */

static void seals_size(struct be *b)
{
	int fd = sealable(b, 4 * PG);

	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "seal shrink and grow", be_add_seals(b, fd, S_SHRINK | S_GROW), 0);
	EXPECT(b, "shrink EPERM", be_ftruncate(b, fd, 2 * PG), -EPERM);
	EXPECT(b, "grow EPERM", be_ftruncate(b, fd, 8 * PG), -EPERM);
	EXPECT(b, "same size", be_ftruncate(b, fd, 4 * PG), 0);
	EXPECT(b, "fallocate past the end EPERM", be_fallocate(b, fd, 0, 0, 8 * PG), -EPERM);
	EXPECT(b, "  with KEEP_SIZE too", be_fallocate(b, fd, FALLOC_FL_KEEP_SIZE, 0, 8 * PG),
	       -EPERM);
	EXPECT(b, "fallocate within", be_fallocate(b, fd, 0, 0, 4 * PG), 0);
	EXPECT(b, "punch past the end", be_fallocate(b, fd, PUNCH, 0, 8 * PG), 0);
	EXPECT(b, "map", map_at(b, A, 4 * PG, RW, MAP_SHARED, fd), 0);
	EXPECT(b, "write", wr(b, A + 3 * PG, 0x33), 0);
	EXPECT(b, "MADV_REMOVE (a punch) is no shrink", be_madvise(b, A, 4 * PG, MADV_REMOVE), 0);
	EXPECT(b, "  reads zero", val(b, A + 3 * PG), 0);
	be_close(b, fd);
}
DIFF_TEST(seals_size)

/* ---- F_SEAL_WRITE ---- */

/* What a write seal refuses a new mapping at @addr: shared writable
 * (-EPERM), and a shared read-only one becoming writable (-EACCES); a
 * private one writes its own copies. */
static void sealed_new_maps(struct be *b, int fd, uint64_t addr)
{
	EXPECT(b, "new shared rw map EPERM", map_at(b, addr, 4 * PG, RW, MAP_SHARED, fd), -EPERM);
	EXPECT(b, "new shared read-only map", map_at(b, addr, 4 * PG, PROT_READ, MAP_SHARED, fd),
	       0);
	EXPECT(b, "  shared", has_flag(b, addr, "sh"), 1);
	EXPECT(b, "  may not write (no mw)", has_flag(b, addr, "mw"), 0);
	EXPECT(b, "  mprotect rw EACCES", be_mprotect(b, addr, PG, RW), -EACCES);
	EXPECT(b, "new private rw map", map_at(b, addr + 8 * PG, 4 * PG, RW, MAP_PRIVATE, fd), 0);
	EXPECT(b, "  write", wr(b, addr + 8 * PG, 0x44), 0);
	EXPECT(b, "  the file is unchanged", val(b, addr) != 0x44, 1);
	EXPECT(b, "punch EPERM", be_fallocate(b, fd, PUNCH, 0, PG), -EPERM);
}

static void seal_write(struct be *b)
{
	int fd = sealable(b, 4 * PG);

	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "shared rw map", map_at(b, A, 4 * PG, RW, MAP_SHARED, fd), 0);
	EXPECT(b, "write", wr(b, A, 0x11), 0);
	EXPECT(b, "seal write with a shared writable map: EBUSY", be_add_seals(b, fd, S_WRITE),
	       -EBUSY);
	EXPECT(b, "  F_SEAL_EXEC implies it: EBUSY too", be_add_seals(b, fd, S_EXEC), -EBUSY);
	EXPECT(b, "  nothing added", be_get_seals(b, fd), 0);
	EXPECT(b, "unmap", be_munmap(b, A, 4 * PG), 0);
	EXPECT(b, "shared read-only map", map_at(b, A, 4 * PG, PROT_READ, MAP_SHARED, fd), 0);
	EXPECT(b, "seal write with it: EBUSY (mprotect could make it writable)",
	       be_add_seals(b, fd, S_WRITE), -EBUSY);
	EXPECT(b, "unmap", be_munmap(b, A, 4 * PG), 0);
	EXPECT(b, "private rw map", map_at(b, A + 8 * PG, 4 * PG, RW, MAP_PRIVATE, fd), 0);
	EXPECT(b, "  write (a private copy)", wr(b, A + 8 * PG, 0x22), 0);
	EXPECT(b, "seal write with a private map", be_add_seals(b, fd, S_WRITE), 0);
	EXPECT(b, "  seals", be_get_seals(b, fd), S_WRITE);
	sealed_new_maps(b, fd, A + 16 * PG);
	EXPECT(b, "the read-only map reads the file", val(b, A + 16 * PG), 0x11);
	EXPECT(b, "  MADV_REMOVE there EACCES", be_madvise(b, A + 16 * PG, PG, MADV_REMOVE),
	       -EACCES);
	EXPECT(b, "fallocate", be_fallocate(b, fd, 0, 0, 8 * PG), 0);
	EXPECT(b, "shrink", be_ftruncate(b, fd, 2 * PG), 0);
	EXPECT(b, "  past the end SIGBUS", val(b, A + 19 * PG), -MMLAB_SIGBUS);
	EXPECT(b, "grow", be_ftruncate(b, fd, 4 * PG), 0);
	EXPECT(b, "  reads zero", val(b, A + 19 * PG), 0);
	be_close(b, fd);
}
DIFF_TEST(seal_write)

/* ---- F_SEAL_FUTURE_WRITE ---- */

static void seal_future_write(struct be *b)
{
	int fd = sealable(b, 4 * PG);

	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "shared rw map", map_at(b, A, 4 * PG, RW, MAP_SHARED, fd), 0);
	EXPECT(b, "shared read-only map", map_at(b, A + 8 * PG, 4 * PG, PROT_READ, MAP_SHARED, fd),
	       0);
	EXPECT(b, "seal future_write with them", be_add_seals(b, fd, S_FWRITE), 0);
	EXPECT(b, "  seals", be_get_seals(b, fd), S_FWRITE);
	EXPECT(b, "the writable map still writes", wr(b, A, 0x55), 0);
	EXPECT(b, "  seen through the other", val(b, A + 8 * PG), 0x55);
	EXPECT(b, "the old read-only map may become writable",
	       be_mprotect(b, A + 8 * PG, 4 * PG, RW), 0);
	EXPECT(b, "  and writes", wr(b, A + 9 * PG, 0x66), 0);
	sealed_new_maps(b, fd, A + 16 * PG);
	EXPECT(b, "MADV_REMOVE through the writable map EPERM",
	       be_madvise(b, A, PG, MADV_REMOVE), -EPERM);
	EXPECT(b, "  data kept", val(b, A), 0x55);
	EXPECT(b, "seal write now: EBUSY", be_add_seals(b, fd, S_WRITE), -EBUSY);
	EXPECT(b, "unmap the writable maps", be_munmap(b, A, 12 * PG), 0);
	EXPECT(b, "seal write", be_add_seals(b, fd, S_WRITE), 0);
	be_close(b, fd);
}
DIFF_TEST(seal_future_write)

/* ---- a read-only and a write-only reopen ---- */

static void reopen_modes(struct be *b)
{
	int fd = sealable(b, 4 * PG), r, w;
	uint64_t out;

	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "shared rw map", map_at(b, A, 4 * PG, RW, MAP_SHARED, fd), 0);
	EXPECT(b, "write", wr(b, A, 0x77), 0);
	r = be_reopen(b, fd, MMLAB_O_RDONLY);
	EXPECT(b, "reopen read-only", r >= 0, 1);
	EXPECT(b, "shared rw map EACCES", map_at(b, A + 8 * PG, 4 * PG, RW, MAP_SHARED, r),
	       -EACCES);
	EXPECT(b, "shared_validate rw map EACCES",
	       be_mmap(b, A + 8 * PG, 4 * PG, RW, MAP_SHARED_VALIDATE, r, 0, &out), -EACCES);
	EXPECT(b, "shared_validate with fixed_noreplace EOPNOTSUPP",
	       map_at(b, A + 8 * PG, 4 * PG, PROT_READ, MAP_SHARED_VALIDATE, r), -EOPNOTSUPP);
	EXPECT(b, "shared read-only map", map_at(b, A + 8 * PG, 4 * PG, PROT_READ, MAP_SHARED, r),
	       0);
	EXPECT(b, "  reads the file", val(b, A + 8 * PG), 0x77);
	EXPECT(b, "  sees later writes", wr(b, A, 0x78) == 0 && val(b, A + 8 * PG) == 0x78, 1);
	EXPECT(b, "  write SIGSEGV", wr(b, A + 8 * PG, 1), MMLAB_SIGSEGV);
	EXPECT(b, "  not sh", has_flag(b, A + 8 * PG, "sh"), 0);
	EXPECT(b, "  ms", has_flag(b, A + 8 * PG, "ms"), 1);
	EXPECT(b, "  not mw", has_flag(b, A + 8 * PG, "mw"), 0);
	EXPECT(b, "  mprotect rw EACCES", be_mprotect(b, A + 8 * PG, PG, RW), -EACCES);
	EXPECT(b, "  MADV_REMOVE EACCES", be_madvise(b, A + 8 * PG, PG, MADV_REMOVE), -EACCES);
	EXPECT(b, "private rw map", map_at(b, A + 16 * PG, 4 * PG, RW, MAP_PRIVATE, r), 0);
	EXPECT(b, "  write", wr(b, A + 16 * PG, 0x99), 0);
	EXPECT(b, "  the file is unchanged", val(b, A), 0x78);
	EXPECT(b, "get_seals", be_get_seals(b, r), 0);
	EXPECT(b, "add_seals EPERM", be_add_seals(b, r, S_SHRINK), -EPERM);
	EXPECT(b, "ftruncate EINVAL", be_ftruncate(b, r, PG), -EINVAL);
	EXPECT(b, "fallocate EBADF", be_fallocate(b, r, 0, 0, PG), -EBADF);
	EXPECT(b, "punch EBADF", be_fallocate(b, r, PUNCH, 0, PG), -EBADF);
	EXPECT(b, "punch without keep_size: EOPNOTSUPP first",
	       be_fallocate(b, r, FALLOC_FL_PUNCH_HOLE, 0, PG), -EOPNOTSUPP);
	EXPECT(b, "seal write: the rw map is in the way", be_add_seals(b, fd, S_WRITE), -EBUSY);
	EXPECT(b, "unmap it", be_munmap(b, A, 4 * PG), 0);
	EXPECT(b, "seal write: the read-only fd's maps are not", be_add_seals(b, fd, S_WRITE), 0);
	w = be_reopen(b, fd, MMLAB_O_WRONLY);
	EXPECT(b, "reopen write-only", w >= 0, 1);
	EXPECT(b, "  shared read map EACCES", map_at(b, A, PG, PROT_READ, MAP_SHARED, w), -EACCES);
	EXPECT(b, "  private map EACCES", map_at(b, A, PG, PROT_READ, MAP_PRIVATE, w), -EACCES);
	EXPECT(b, "  ftruncate", be_ftruncate(b, w, 8 * PG), 0);
	EXPECT(b, "  add_seals", be_add_seals(b, w, S_GROW), 0);
	EXPECT(b, "  seals (shared by the files)", be_get_seals(b, fd), S_WRITE | S_GROW);
	EXPECT(b, "reopen an fd not open: no such /proc entry",
	       be_reopen(b, NOT_A_FD, MMLAB_O_RDONLY), -ENOENT);
	be_close(b, w);
	be_close(b, r);
	be_close(b, fd);
}
DIFF_TEST(reopen_modes)

/* ---- ftruncate ---- */

static void truncate_shrink(struct be *b)
{
	int fd = be_memfd(b, "t", 8 * PG);
	int64_t shmem0, anon0;
	uint64_t tail = 0;

	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "shared map", map_at(b, A, 8 * PG, RW, MAP_SHARED, fd), 0);
	EXPECT(b, "private map", map_at(b, A + 16 * PG, 8 * PG, RW, MAP_PRIVATE, fd), 0);
	for (int i = 0; i < 8; i++)
		EXPECTI(b, "write page", i, wr(b, A + i * PG, 0x100 + i), 0);
	EXPECT(b, "private: copy page 6", wr(b, A + 22 * PG, 0xc6), 0);
	EXPECT(b, "private: read page 5", val(b, A + 21 * PG), 0x105);
	EXPECT(b, "private: read page 1", val(b, A + 17 * PG), 0x101);
	shmem0 = rss_shmem(b);
	anon0 = rss_anon(b);
	EXPECT(b, "shrink to 2 pages + 100", be_ftruncate(b, fd, 2 * PG + 100), 0);
	EXPECT(b, "shared pages 3..8 unmapped", be_present(b, A + 3 * PG, 5), 0);
	EXPECT(b, "private pages 3..8 unmapped, the copy too", be_present(b, A + 19 * PG, 5), 0);
	/* the private map's read fault mapped the cached pages around it */
	EXPECT_RSS(b, "RssShmem delta (5 shared + 4 private)", rss_shmem(b) - shmem0, -36);
	EXPECT_RSS(b, "RssAnon delta (the copy)", rss_anon(b) - anon0, -4);
	EXPECT(b, "shared page 1 kept", val(b, A + PG), 0x101);
	EXPECT(b, "private page 1 kept", val(b, A + 17 * PG), 0x101);
	EXPECT(b, "last page: bytes before the end kept", val(b, A + 2 * PG), 0x102);
	EXPECT(b, "last page: bytes past the end zeroed",
	       be_read(b, A + 2 * PG + 104, &tail, 8, NULL) == 0 && tail == 0, 1);
	EXPECT(b, "shared past the end SIGBUS", val(b, A + 3 * PG), -MMLAB_SIGBUS);
	EXPECT(b, "  write too", wr(b, A + 7 * PG, 1), MMLAB_SIGBUS);
	EXPECT(b, "private copy gone: SIGBUS", val(b, A + 22 * PG), -MMLAB_SIGBUS);
	EXPECT(b, "private past the end SIGBUS", wr(b, A + 21 * PG, 1), MMLAB_SIGBUS);
	EXPECT(b, "grow back", be_ftruncate(b, fd, 8 * PG), 0);
	EXPECT(b, "  the old data is gone", val(b, A + 5 * PG), 0);
	EXPECT(b, "  private reads it too", val(b, A + 21 * PG), 0);
	/* ftruncate to the size it has frees what lies past it */
	EXPECT(b, "shrink again", be_ftruncate(b, fd, 2 * PG + 100), 0);
	EXPECT(b, "write past the end in the last page", wr(b, A + 2 * PG + 200, 0xee), 0);
	EXPECT(b, "same size", be_ftruncate(b, fd, 2 * PG + 100), 0);
	EXPECT(b, "  zeroed it", val(b, A + 2 * PG + 200), 0);
	EXPECT(b, "to 0", be_ftruncate(b, fd, 0), 0);
	EXPECT(b, "  nothing mapped", be_present(b, A, 8) + be_present(b, A + 16 * PG, 8), 0);
	EXPECT(b, "  SIGBUS", val(b, A), -MMLAB_SIGBUS);
	EXPECT(b, "negative length EINVAL", be_ftruncate(b, fd, -1), -EINVAL);
	EXPECT(b, "bad fd EBADF", be_ftruncate(b, NOT_A_FD, PG), -EBADF);
	be_close(b, fd);
}
DIFF_TEST(truncate_shrink)

/* ---- fallocate ---- */

static void fallocate_errors(struct be *b)
{
	int fd = be_memfd(b, "f", 4 * PG);

	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "len 0 EINVAL", be_fallocate(b, fd, 0, 0, 0), -EINVAL);
	EXPECT(b, "len < 0 EINVAL", be_fallocate(b, fd, 0, 0, -PG), -EINVAL);
	EXPECT(b, "offset < 0 EINVAL", be_fallocate(b, fd, 0, -1, PG), -EINVAL);
	EXPECT(b, "len 0 before an unknown mode", be_fallocate(b, fd, 0x100, 0, 0), -EINVAL);
	EXPECT(b, "unknown mode bit EOPNOTSUPP", be_fallocate(b, fd, 0x100, 0, PG), -EOPNOTSUPP);
	EXPECT(b, "punch without keep_size EOPNOTSUPP",
	       be_fallocate(b, fd, FALLOC_FL_PUNCH_HOLE, 0, PG), -EOPNOTSUPP);
	EXPECT(b, "zero range EOPNOTSUPP", be_fallocate(b, fd, FALLOC_FL_ZERO_RANGE, 0, PG),
	       -EOPNOTSUPP);
	EXPECT(b, "collapse range EOPNOTSUPP",
	       be_fallocate(b, fd, FALLOC_FL_COLLAPSE_RANGE, 0, PG), -EOPNOTSUPP);
	EXPECT(b, "collapse with keep_size EOPNOTSUPP",
	       be_fallocate(b, fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, PG),
	       -EOPNOTSUPP);
	EXPECT(b, "punch and zero EOPNOTSUPP",
	       be_fallocate(b, fd, PUNCH | FALLOC_FL_ZERO_RANGE, 0, PG), -EOPNOTSUPP);
	EXPECT(b, "past the largest file EFBIG",
	       be_fallocate(b, fd, FALLOC_FL_KEEP_SIZE, INT64_MAX - PG + 1, PG), -EFBIG);
	EXPECT(b, "bad fd EBADF", be_fallocate(b, NOT_A_FD, 0, 0, PG), -EBADF);
	be_close(b, fd);
}
DIFF_TEST(fallocate_errors)

static void fallocate_alloc(struct be *b)
{
	int fd = be_memfd(b, "f", 0);
	int64_t shmem0;

	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "fallocate 6 pages", be_fallocate(b, fd, 0, 0, 6 * PG), 0);
	EXPECT(b, "map 8", map_at(b, A, 8 * PG, RW, MAP_SHARED, fd), 0);
	shmem0 = rss_shmem(b);
	EXPECT(b, "the file grew: page 5 reads zero", val(b, A + 5 * PG), 0);
	EXPECT(b, "  page 6 SIGBUS", val(b, A + 6 * PG), -MMLAB_SIGBUS);
	/* fault-around maps only uptodate pages: fallocated ones are not */
	EXPECT(b, "read page 0", val(b, A), 0);
	EXPECT(b, "  one page mapped each", be_present(b, A, 6), 2);
	EXPECT_RSS(b, "  RssShmem delta", rss_shmem(b) - shmem0, 8);
	EXPECT(b, "keep_size past the end", be_fallocate(b, fd, FALLOC_FL_KEEP_SIZE, 0, 8 * PG), 0);
	EXPECT(b, "  page 6 still SIGBUS", val(b, A + 6 * PG), -MMLAB_SIGBUS);
	EXPECT(b, "grow", be_ftruncate(b, fd, 8 * PG), 0);
	EXPECT(b, "  page 7 reads zero", val(b, A + 7 * PG), 0);
	EXPECT(b, "unaligned range grows to its end", be_fallocate(b, fd, 0, 8 * PG + 10, 100), 0);
	EXPECT(b, "map 9 pages", be_munmap(b, A, 8 * PG) || map_at(b, A, 9 * PG, RW, MAP_SHARED, fd),
	       0);
	EXPECT(b, "  page 8 readable (the size is 8 pages + 110)", val(b, A + 8 * PG + 100), 0);
	be_close(b, fd);
}
DIFF_TEST(fallocate_alloc)

static void fallocate_punch(struct be *b)
{
	int fd = be_memfd(b, "p", 4 * PG);

	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "shared map", map_at(b, A, 4 * PG, RW, MAP_SHARED, fd), 0);
	EXPECT(b, "private map", map_at(b, A + 8 * PG, 4 * PG, RW, MAP_PRIVATE, fd), 0);
	for (int i = 0; i < 4; i++) {
		EXPECTI(b, "write page start", i, wr(b, A + i * PG, 0x200 + i), 0);
		EXPECTI(b, "write page at 200", i, wr(b, A + i * PG + 200, 0x300 + i), 0);
	}
	EXPECT(b, "private: copy page 1", wr(b, A + 9 * PG, 0xc1), 0);
	EXPECT(b, "private: read page 2", val(b, A + 10 * PG), 0x202);
	EXPECT(b, "punch [100, 3 pages + 100)", be_fallocate(b, fd, PUNCH, 100, 3 * PG), 0);
	EXPECT(b, "shared pages 1, 2 unmapped", be_present(b, A + PG, 2), 0);
	EXPECT(b, "  pages 0, 3 stay mapped", be_present(b, A, 1) + be_present(b, A + 3 * PG, 1), 2);
	EXPECT(b, "private page 2 unmapped", be_present(b, A + 10 * PG, 1), 0);
	EXPECT(b, "private copy stays", be_present(b, A + 9 * PG, 1), 1);
	EXPECT(b, "  with its data", val(b, A + 9 * PG), 0xc1);
	EXPECT(b, "page 0 before the hole kept", val(b, A), 0x200);
	EXPECT(b, "page 0 in the hole zeroed", val(b, A + 200), 0);
	EXPECT(b, "page 1 zero", val(b, A + PG + 200), 0);
	EXPECT(b, "page 2 zero in the private map", val(b, A + 10 * PG), 0);
	EXPECT(b, "page 3 in the hole zeroed", val(b, A + 3 * PG), 0);
	EXPECT(b, "page 3 after the hole kept", val(b, A + 3 * PG + 200), 0x303);
	EXPECT(b, "the size is kept", val(b, A + 3 * PG + 4000), 0);
	EXPECT(b, "punch within one page", be_fallocate(b, fd, PUNCH, 3 * PG + 196, 16), 0);
	EXPECT(b, "  zeroed", val(b, A + 3 * PG + 200), 0);
	EXPECT(b, "MADV_REMOVE", be_madvise(b, A + 3 * PG, PG, MADV_REMOVE), 0);
	EXPECT(b, "  unmapped", be_present(b, A + 3 * PG, 1), 0);
	be_close(b, fd);
}
DIFF_TEST(fallocate_punch)

/* ---- model only ---- */

/* A file of 2^62 bytes holds pages anywhere in it; the xarray grows. */
static void t_sparse_huge(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t shmem0 = vmstat("nr_shmem"), a = 0;
	int fd = mmlab_memfd(p, "huge", 1ULL << 62);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(t, 0, 16 * PG, RW, MAP_SHARED, fd, (1ULL << 61), &a), 0);
	fill_ok(t, a, 16 * PG, 9);
	verify_ok(t, a, 16 * PG, 9);
	assert_int_equal(vmstat("nr_shmem") - shmem0, 16);
	assert_int_equal(mmlab_fallocate(p, fd, 0, (1ULL << 62) - PG, PG), 0);
	assert_int_equal(vmstat("nr_shmem") - shmem0, 17);
	assert_int_equal(mmlab_fallocate(p, fd, PUNCH, 0, 1ULL << 62), 0);
	assert_int_equal(vmstat("nr_shmem"), shmem0);
	zero_ok(t, a, 16 * PG);
	assert_int_equal(mmlab_ftruncate(p, fd, 0), 0);
	assert_int_equal(mmlab_exit(p), 0);
	assert_int_equal(vmstat("nr_shmem"), shmem0);
}

/* A fallocate that runs out of memory frees the pages it added, and
 * only those. */
static void t_fallocate_enomem(void **state)
{
	struct mmlab_config cfg;
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t shmem0, a = 0;
	int fd;

	(void)state;
	machine_config(&cfg);
	cfg.node_bytes[0] = 64 * MiB;
	machine_up_cfg(&cfg);
	p = spawn();
	t = mmlab_main_task(p);
	shmem0 = vmstat("nr_shmem");
	fd = mmlab_memfd(p, "oom", 4 * PG);
	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(t, 0, 4 * PG, RW, MAP_SHARED, fd, 0, &a), 0);
	fill_ok(t, a, 2 * PG, 3);
	assert_int_equal(mmlab_fallocate(p, fd, 0, 0, 128 * MiB), -ENOMEM);
	assert_int_equal(vmstat("nr_shmem") - shmem0, 2);
	verify_ok(t, a, 2 * PG, 3);
	/* the size did not change */
	assert_int_equal(mmlab_touch(t, a + 4 * PG, 1, false, NULL), MMLAB_SIGSEGV);
	assert_int_equal(mmlab_munmap(t, a, 4 * PG), 0);
	assert_int_equal(mmlab_mmap(t, 0, 8 * PG, RW, MAP_SHARED, fd, 0, &a), 0);
	assert_int_equal(mmlab_touch(t, a + 4 * PG, 1, false, NULL), MMLAB_SIGBUS);
	assert_int_equal(mmlab_fallocate(p, fd, 0, 0, 8 * MiB), 0);
	assert_int_equal(vmstat("nr_shmem") - shmem0, 8 * MiB / PG);
	assert_int_equal(mmlab_exit(p), 0);
	assert_int_equal(vmstat("nr_shmem"), shmem0);
	machine_down();
}

/*
 * Truncation racing with faults: CPU 1 keeps reading and writing every page
 * of a shared and a private mapping (SIGBUS past the end is expected)
 * while CPU 0 shrinks the file to a random size and grows it back.  After
 * each shrink nothing past the end may be mapped in either mapping; the
 * stale-TLB detector checks every access.
 */
#define RACE_PAGES	32

struct race {
	struct mmlab_task *t;
	uint64_t shared, priv;
	volatile int stop;
	unsigned long accesses, sigbus, bad;
};

static void *race_faulter(void *arg)
{
	struct race *r = arg;
	uint64_t i = 0;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		uint64_t pg = (i * 7) % RACE_PAGES, v = i, fa;
		int ret;

		if (i & 1)
			ret = mmlab_write(r->t, r->shared + pg * PG + 8 * (i % 64), &v, 8, &fa);
		else if (i & 2)
			ret = mmlab_write(r->t, r->priv + pg * PG, &v, 8, &fa);
		else
			ret = mmlab_read(r->t, r->priv + pg * PG, &v, 8, &fa);
		r->bad += ret != 0 && ret != MMLAB_SIGBUS;
		r->sigbus += ret == MMLAB_SIGBUS;
		r->accesses++;
		i++;
	}
	return NULL;
}

static void t_truncate_race(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	struct race r = { .t = task_on(p, 1) };
	uint64_t shmem0 = vmstat("nr_shmem"), seed = 0x7711;
	double end = now_s() + (double)env_u64("MMLAB_STRESS_SECONDS", 2);
	int fd = mmlab_memfd(p, "race", RACE_PAGES * PG), rounds = 0;
	pthread_t th;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(t, 0, RACE_PAGES * PG, RW, MAP_SHARED, fd, 0, &r.shared), 0);
	assert_int_equal(mmlab_mmap(t, 0, RACE_PAGES * PG, RW, MAP_PRIVATE, fd, 0, &r.priv), 0);
	assert_int_equal(pthread_create(&th, NULL, race_faulter, &r), 0);
	while (now_s() < end || rounds < 20) {
		uint64_t size = (seed = mmlab_splitmix64(seed)) % (RACE_PAGES * PG);
		uint64_t e[2 * RACE_PAGES], first = (size + PG - 1) / PG;

		assert_int_equal(mmlab_ftruncate(p, fd, (int64_t)size), 0);
		assert_int_equal(mmlab_pagemap(p, r.shared, RACE_PAGES, e), 0);
		assert_int_equal(mmlab_pagemap(p, r.priv, RACE_PAGES, e + RACE_PAGES), 0);
		for (uint64_t i = first; i < RACE_PAGES; i++) {
			if ((e[i] | e[RACE_PAGES + i]) & (MMLAB_PM_PRESENT | MMLAB_PM_SWAP))
				fail_msg("round %d: page %" PRIu64 " mapped past the end (%"
					 PRIu64 " bytes)", rounds, i, size);
		}
		if (rounds % 3 == 0)
			assert_int_equal(mmlab_fallocate(p, fd, PUNCH, 0, (int64_t)size + 1), 0);
		assert_int_equal(mmlab_ftruncate(p, fd, RACE_PAGES * PG), 0);
		rounds++;
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	print_message("%d truncations, %lu accesses, %lu SIGBUS\n", rounds, r.accesses, r.sigbus);
	assert_true(r.accesses > 0);
	assert_int_equal(r.bad, 0);
	assert_int_equal(mmlab_exit(p), 0);
	assert_int_equal(vmstat("nr_shmem"), shmem0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_seals_create),
		cmocka_unit_test(t_seals_size),
		cmocka_unit_test(t_seal_write),
		cmocka_unit_test(t_seal_future_write),
		cmocka_unit_test(t_reopen_modes),
		cmocka_unit_test(t_truncate_shrink),
		cmocka_unit_test(t_fallocate_errors),
		cmocka_unit_test(t_fallocate_alloc),
		cmocka_unit_test(t_fallocate_punch),
		cmocka_unit_test_setup_teardown(t_sparse_huge, setup_machine, teardown_machine),
		cmocka_unit_test(t_fallocate_enomem),
		cmocka_unit_test_setup_teardown(t_truncate_race, setup_machine, teardown_machine),
	};

	return tests_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
