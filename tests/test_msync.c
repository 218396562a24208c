/*
 * test_msync.c - msync(2) on this kernel and on the model: every errno
 * (-EINVAL for bad flags, an unaligned address, MS_SYNC with MS_ASYNC;
 * -ENOMEM over a hole, at once for MS_ASYNC alone and after the mapped
 * parts otherwise, and for a range that wraps), and that msync of shmem
 * and anonymous memory, MS_INVALIDATE included, changes nothing a process
 * can see: data, mapped pages, RSS.
 *
 * MS_INVALIDATE's -EBUSY over locked memory needs VM_LOCKED, which the
 * model gets only from mlock (not modelled yet): not tested here.
 */
#include "harness.h"

#define A	DIFF_BASE
#define RW	(PROT_READ | PROT_WRITE)
#define HOLE	(A + 64 * PG)		/* nothing mapped there */

static int map_at(struct be *b, uint64_t addr, uint64_t len, int flags, int fd)
{
	uint64_t out = 0;
	int ret = be_mmap(b, addr, len, RW, flags | MAP_FIXED_NOREPLACE, fd, 0, &out);

	return ret ? ret : out == addr ? 0 : -EFAULT;
}

static void msync_errors(struct be *b)
{
	int fd = be_memfd(b, "ms", 4 * PG);

	EXPECT(b, "anon map", map_at(b, A, 4 * PG, MAP_PRIVATE | MAP_ANONYMOUS, -1), 0);
	EXPECT(b, "memfd map", map_at(b, A + 8 * PG, 4 * PG, MAP_SHARED, fd), 0);
	EXPECT(b, "unknown flag EINVAL", be_msync(b, A, PG, 8), -EINVAL);
	EXPECT(b, "unaligned EINVAL", be_msync(b, A + 1, PG, MS_SYNC), -EINVAL);
	EXPECT(b, "sync and async EINVAL", be_msync(b, A, PG, MS_SYNC | MS_ASYNC), -EINVAL);
	EXPECT(b, "unaligned with a bad flag EINVAL", be_msync(b, A + 1, PG, 8), -EINVAL);
	EXPECT(b, "unaligned in a hole EINVAL", be_msync(b, HOLE + 1, PG, MS_SYNC), -EINVAL);
	EXPECT(b, "len 0", be_msync(b, A, 0, MS_SYNC), 0);
	EXPECT(b, "len 0 in a hole", be_msync(b, HOLE, 0, MS_SYNC), 0);
	EXPECT(b, "a hole, sync ENOMEM", be_msync(b, HOLE, PG, MS_SYNC), -ENOMEM);
	EXPECT(b, "a hole, async ENOMEM", be_msync(b, HOLE, PG, MS_ASYNC), -ENOMEM);
	EXPECT(b, "a hole, invalidate ENOMEM", be_msync(b, HOLE, PG, MS_INVALIDATE), -ENOMEM);
	EXPECT(b, "a hole, no flag ENOMEM", be_msync(b, HOLE, PG, 0), -ENOMEM);
	EXPECT(b, "wrapping length ENOMEM", be_msync(b, A, 0 - PG, MS_SYNC), -ENOMEM);
	EXPECT(b, "starting in a hole, async", be_msync(b, A - PG, 2 * PG, MS_ASYNC), -ENOMEM);
	EXPECT(b, "starting in a hole, sync", be_msync(b, A - PG, 2 * PG, MS_SYNC), -ENOMEM);
	EXPECT(b, "across the hole between, sync", be_msync(b, A, 12 * PG, MS_SYNC), -ENOMEM);
	EXPECT(b, "  async", be_msync(b, A, 12 * PG, MS_ASYNC), -ENOMEM);
	EXPECT(b, "  invalidate", be_msync(b, A, 12 * PG, MS_INVALIDATE), -ENOMEM);
	EXPECT(b, "ending in a hole, sync", be_msync(b, A + 8 * PG, 8 * PG, MS_SYNC), -ENOMEM);
	EXPECT(b, "memfd sync", be_msync(b, A + 8 * PG, 4 * PG, MS_SYNC), 0);
	EXPECT(b, "memfd async", be_msync(b, A + 8 * PG, 4 * PG, MS_ASYNC), 0);
	EXPECT(b, "memfd invalidate", be_msync(b, A + 8 * PG, 4 * PG, MS_INVALIDATE), 0);
	EXPECT(b, "memfd sync|invalidate", be_msync(b, A + 8 * PG, 4 * PG,
						    MS_SYNC | MS_INVALIDATE), 0);
	EXPECT(b, "memfd no flag", be_msync(b, A + 8 * PG, 4 * PG, 0), 0);
	EXPECT(b, "unaligned length", be_msync(b, A + 8 * PG, 100, MS_SYNC), 0);
	EXPECT(b, "anon sync", be_msync(b, A, 4 * PG, MS_SYNC), 0);
	EXPECT(b, "anon invalidate", be_msync(b, A, 4 * PG, MS_INVALIDATE), 0);
	be_close(b, fd);
}
DIFF_TEST(msync_errors)

static void msync_keeps(struct be *b)
{
	int fd = be_memfd(b, "keep", 4 * PG);
	struct mmlab_status st0, st1;
	uint64_t v = 0;

	EXPECT(b, "memfd shared", map_at(b, A, 4 * PG, MAP_SHARED, fd), 0);
	EXPECT(b, "memfd private", map_at(b, A + 8 * PG, 4 * PG, MAP_PRIVATE, fd), 0);
	EXPECT(b, "anon", map_at(b, A + 16 * PG, 4 * PG, MAP_PRIVATE | MAP_ANONYMOUS, -1), 0);
	for (int i = 0; i < 4; i++) {
		EXPECTI(b, "write shared", i, be_put(b, A + i * PG, 0x10 + i), 0);
		EXPECTI(b, "write anon", i, be_put(b, A + 16 * PG + i * PG, 0x20 + i), 0);
	}
	EXPECT(b, "private copy", be_put(b, A + 9 * PG, 0xc9), 0);
	EXPECT(b, "status", be_status(b, &st0), 0);
	EXPECT(b, "sync|invalidate all", be_msync(b, A, 20 * PG, MS_SYNC | MS_INVALIDATE), -ENOMEM);
	EXPECT(b, "  async|invalidate each", be_msync(b, A, 4 * PG, MS_ASYNC | MS_INVALIDATE) |
	       be_msync(b, A + 8 * PG, 4 * PG, MS_ASYNC | MS_INVALIDATE) |
	       be_msync(b, A + 16 * PG, 4 * PG, MS_ASYNC | MS_INVALIDATE), 0);
	EXPECT(b, "status", be_status(b, &st1), 0);
	EXPECT_RSS(b, "RssShmem unchanged", st1.RssShmem - st0.RssShmem, 0);
	EXPECT_RSS(b, "RssAnon unchanged", st1.RssAnon - st0.RssAnon, 0);
	EXPECT(b, "shared pages mapped", be_present(b, A, 4), 4);
	EXPECT(b, "private pages mapped (the copy)", be_present(b, A + 8 * PG, 4), 1);
	EXPECT(b, "anon pages mapped", be_present(b, A + 16 * PG, 4), 4);
	EXPECT(b, "shared data", be_get(b, A + 3 * PG, &v) == 0 && v == 0x13, 1);
	EXPECT(b, "private copy kept", be_get(b, A + 9 * PG, &v) == 0 && v == 0xc9, 1);
	EXPECT(b, "private reads the file", be_get(b, A + 10 * PG, &v) == 0 && v == 0x12, 1);
	EXPECT(b, "anon data", be_get(b, A + 19 * PG, &v) == 0 && v == 0x23, 1);
	be_close(b, fd);
}
DIFF_TEST(msync_keeps)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_msync_errors),
		cmocka_unit_test(t_msync_keeps),
	};

	return tests_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
