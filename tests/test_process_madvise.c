/*
 * test_process_madvise.c - process_madvise(2) on this kernel and on the
 * model: the advice one process may give another (COLD, PAGEOUT, WILLNEED,
 * COLLAPSE; anything else -EINVAL) and any advice about one's own memory;
 * flags, iovec count, alignment, holes; a vector stops at the first range
 * that fails and returns the bytes advised before it.  PAGEOUT swaps a
 * target's own pages out (swap needed), COLLAPSE makes a THP in the target
 * (THP needed).
 *
 * The target is a fork of the case's process that wrote its own copy of
 * the range (so that no page is shared with the caller, which COLD and
 * PAGEOUT would leave alone) and waits; on the host it is read through
 * /proc/PID.  Both run on CPU 0, as the model's main tasks do: a page still
 * in another CPU's LRU batch is not on the LRU, and PAGEOUT passes it by.
 */
#include <sched.h>
#include <sys/uio.h>

#include "markers_be.h"

#ifndef MADV_COLD
#define MADV_COLD	20
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open	434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif

#define A	DIFF_BASE
#define HOLE	(A + GiB)	/* nothing mapped there */

struct target {
	struct mmlab_proc *p;	/* model */
	int pid, pidfd;		/* host */
};

static HOST_NO_SANITIZE void host_touch_pages(uint64_t addr, uint64_t len)
{
	for (uint64_t a = addr; a < addr + len; a += PG)
		*(volatile uint8_t *)(uintptr_t)a = touch_byte(a);
}

/* Fork the case's process: the target writes every page of [addr,
 * addr + len), then waits.  False when it could not start. */
static bool target_start(struct be *b, struct target *tg, uint64_t addr, uint64_t len)
{
	int pfd[2];
	char c = 0;

	memset(tg, 0, sizeof(*tg));
	if (b->model) {
		if (mmlab_fork(b->p, &tg->p))
			return false;
		return !len || !mmlab_touch(mmlab_main_task(tg->p), addr, len, true, NULL);
	}
	if (pipe(pfd))
		return false;
	{
		cpu_set_t cpu0;

		CPU_ZERO(&cpu0);
		CPU_SET(0, &cpu0);
		sched_setaffinity(0, sizeof(cpu0), &cpu0);
	}
	tg->pid = fork();
	if (tg->pid == 0) {
		close(pfd[0]);
		host_touch_pages(addr, len);
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	if (tg->pid < 0 || read(pfd[0], &c, 1) != 1) {
		close(pfd[0]);
		return false;
	}
	close(pfd[0]);
	tg->pidfd = (int)syscall(SYS_pidfd_open, tg->pid, 0);
	return tg->pidfd >= 0;
}

static void target_stop(struct be *b, struct target *tg)
{
	if (b->model) {
		if (tg->p)
			mmlab_exit(tg->p);
		return;
	}
	if (tg->pid > 0) {
		kill(tg->pid, SIGKILL);
		waitpid(tg->pid, NULL, 0);
	}
	if (tg->pidfd >= 0)
		close(tg->pidfd);
}

static long pmadv(struct be *b, struct target *tg, const struct mmlab_iovec *iov, size_t n,
		  int advice, unsigned int flags)
{
	long r;

	if (b->model)
		return mmlab_process_madvise(b->t, tg->p, iov, n, advice, flags);
	/* struct mmlab_iovec is struct iovec's layout */
	r = syscall(SYS_process_madvise, tg->pidfd, iov, n, advice, flags);
	return r < 0 ? -errno : r;
}

/* One range */
static long pmadv1(struct be *b, struct target *tg, uint64_t addr, uint64_t len, int advice)
{
	struct mmlab_iovec v = { addr, len };

	return pmadv(b, tg, &v, 1, advice, 0);
}

/* The target's pagemap: present and swapped pages of [addr, + n pages) */
static int tg_pages(struct be *b, struct target *tg, uint64_t addr, int n, uint64_t bit)
{
	uint64_t e[64];
	char path[40];
	int c = 0, fd;

	if (n > 64)
		return -1;
	if (b->model) {
		if (mmlab_pagemap(tg->p, addr, (uint64_t)n, e))
			return -1;
	} else {
		snprintf(path, sizeof(path), "/proc/%d/pagemap", tg->pid);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return -1;
		if (pread(fd, e, (size_t)n * 8, (off_t)(addr / PG * 8)) != (ssize_t)n * 8)
			c = -1;
		close(fd);
		if (c)
			return -1;
	}
	for (int i = 0; i < n; i++)
		c += !!(e[i] & bit);
	return c;
}

static int64_t tg_vmswap(struct be *b, struct target *tg)
{
	struct mmlab_status st;
	int ret = b->model ? mmlab_status(tg->p, &st) : host_status_pid(tg->pid, &st);

	return ret ? -1 : (int64_t)st.VmSwap;
}

static int64_t tg_anon_huge(struct be *b, struct target *tg, uint64_t addr)
{
	struct mmlab_smaps sm;
	int ret = b->model ? mmlab_smaps(tg->p, addr, &sm) : host_smaps_pid(tg->pid, addr, &sm);

	return ret ? -1 : (int64_t)sm.AnonHugePages;
}

/* ---- errors and what may be advised ---- */

static void pmadv_errors(struct be *b)
{
	static const int not_remote[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_DONTNEED, MADV_FREE,
		MADV_REMOVE, MADV_DONTFORK, MADV_HUGEPAGE, MADV_POPULATE_WRITE,
		MADV_GUARD_INSTALL, 5 /* no such advice */,
	};
	static struct mmlab_iovec many[1025];
	struct mmlab_iovec v[3];
	struct target tg;

	EXPECT(b, "map", be_map_anon(b, A, 8 * PG), 0);
	EXPECT(b, "target", target_start(b, &tg, A, 8 * PG), true);
	EXPECT(b, "cold", pmadv1(b, &tg, A, 8 * PG, MADV_COLD), 8 * PG);
	EXPECT(b, "pageout", pmadv1(b, &tg, A, PG, MADV_PAGEOUT), PG);
	EXPECT(b, "willneed", pmadv1(b, &tg, A, 8 * PG, MADV_WILLNEED), 8 * PG);
	for (size_t i = 0; i < ARRAY_SIZE(not_remote); i++)
		EXPECTI(b, "not for another process EINVAL", not_remote[i],
			pmadv1(b, &tg, A, PG, not_remote[i]), -EINVAL);
	v[0] = (struct mmlab_iovec){ A, PG };
	EXPECT(b, "flags EINVAL", pmadv(b, &tg, v, 1, MADV_COLD, 1), -EINVAL);
	EXPECT(b, "1025 ranges EINVAL", pmadv(b, &tg, many, 1025, MADV_COLD, 0), -EINVAL);
	EXPECT(b, "no range", pmadv(b, &tg, v, 0, MADV_COLD, 0), 0);
	EXPECT(b, "no range, advice not allowed", pmadv(b, &tg, v, 0, MADV_DONTNEED, 0),
	       -EINVAL);
	EXPECT(b, "unaligned EINVAL", pmadv1(b, &tg, A + 1, PG, MADV_COLD), -EINVAL);
	EXPECT(b, "len 0", pmadv1(b, &tg, A, 0, MADV_COLD), 0);
	EXPECT(b, "a hole ENOMEM", pmadv1(b, &tg, HOLE, PG, MADV_COLD), -ENOMEM);
	EXPECT(b, "  pageout", pmadv1(b, &tg, HOLE, PG, MADV_PAGEOUT), -ENOMEM);
	EXPECT(b, "  collapse", pmadv1(b, &tg, HOLE, PG, MADV_COLLAPSE), -ENOMEM);
	EXPECT(b, "running into a hole ENOMEM", pmadv1(b, &tg, A, 16 * PG, MADV_COLD), -ENOMEM);
	/* a vector stops at the first failure: the bytes before it */
	v[0] = (struct mmlab_iovec){ A, 2 * PG };
	v[1] = (struct mmlab_iovec){ HOLE, PG };
	v[2] = (struct mmlab_iovec){ A + 4 * PG, PG };
	EXPECT(b, "ok, hole, ok", pmadv(b, &tg, v, 3, MADV_COLD, 0), 2 * PG);
	v[1] = (struct mmlab_iovec){ A + 2 * PG + 1, PG };
	EXPECT(b, "ok, unaligned, ok", pmadv(b, &tg, v, 3, MADV_COLD, 0), 2 * PG);
	v[1] = (struct mmlab_iovec){ A + 2 * PG, 0 };
	EXPECT(b, "ok, empty, ok", pmadv(b, &tg, v, 3, MADV_COLD, 0), 3 * PG);
	v[0] = (struct mmlab_iovec){ HOLE, PG };
	EXPECT(b, "hole first ENOMEM", pmadv(b, &tg, v, 3, MADV_COLD, 0), -ENOMEM);
	target_stop(b, &tg);
}
DIFF_TEST(pmadv_errors)

/* Advice about one's own memory: anything madvise takes. */
static void pmadv_self(struct be *b)
{
	struct target self = { .p = b->p, .pid = getpid() };
	struct mmlab_iovec v = { A, 4 * PG };

	if (!b->model)
		self.pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	EXPECT(b, "map", be_map_anon(b, A, 4 * PG), 0);
	EXPECT(b, "write", be_write8(b, A, 1) | be_write8(b, A + 3 * PG, 2), 0);
	EXPECT(b, "present", tg_pages(b, &self, A, 4, MMLAB_PM_PRESENT), 2);
	EXPECT(b, "dontneed about oneself", pmadv(b, &self, &v, 1, MADV_DONTNEED, 0), 4 * PG);
	EXPECT(b, "  zapped", tg_pages(b, &self, A, 4, MMLAB_PM_PRESENT), 0);
	EXPECT(b, "populate_write", pmadv(b, &self, &v, 1, MADV_POPULATE_WRITE, 0), 4 * PG);
	EXPECT(b, "  populated", tg_pages(b, &self, A, 4, MMLAB_PM_PRESENT), 4);
	EXPECT(b, "no such advice EINVAL", pmadv(b, &self, &v, 1, 5, 0), -EINVAL);
	EXPECT(b, "remove on anonymous memory EINVAL", pmadv(b, &self, &v, 1, MADV_REMOVE, 0),
	       -EINVAL);
	if (!b->model)
		close(self.pidfd);
	self.p = NULL;
	self.pidfd = 999;
	EXPECT(b, "a pidfd that is no pidfd EBADF",
	       b->model ? mmlab_process_madvise(b->t, NULL, &v, 1, MADV_COLD, 0) :
	       pmadv(b, &self, &v, 1, MADV_COLD, 0), -EBADF);
}
DIFF_TEST(pmadv_self)

/* PAGEOUT swaps out the target's own pages, not the caller's. */
static void pmadv_pageout(struct be *b)
{
	struct target tg;

	if (!be_swap(b))
		return;
	EXPECT(b, "map", be_map_anon(b, A, 16 * PG), 0);
	EXPECT(b, "the caller writes", be_madvise(b, A, 16 * PG, MADV_POPULATE_WRITE), 0);
	EXPECT(b, "target", target_start(b, &tg, A, 16 * PG), true);
	EXPECT(b, "target VmSwap before", tg_vmswap(b, &tg), 0);
	EXPECT(b, "pageout", pmadv1(b, &tg, A, 16 * PG, MADV_PAGEOUT), 16 * PG);
	EXPECT(b, "  target: swapped", tg_pages(b, &tg, A, 16, MMLAB_PM_SWAP), 16);
	EXPECT(b, "  target: none present", tg_pages(b, &tg, A, 16, MMLAB_PM_PRESENT), 0);
	EXPECT(b, "  target VmSwap", tg_vmswap(b, &tg), 64);
	EXPECT(b, "  the caller's pages stay", tg_pages(b, &(struct target){ .p = b->p,
							.pid = getpid() }, A, 16,
							MMLAB_PM_PRESENT), 16);
	target_stop(b, &tg);
}
DIFF_TEST_REQUIRES(pmadv_pageout, "swap")

/* COLLAPSE of the target's range: a THP there. */
static void pmadv_collapse(struct be *b)
{
	struct target tg;
	long r;

	EXPECT(b, "map 2 MiB", be_map(b, A, MMLAB_PMD_SIZE, MAP_PRIVATE | MAP_ANONYMOUS, -1), 0);
	EXPECT(b, "target", target_start(b, &tg, A, MMLAB_PMD_SIZE), true);
	EXPECT(b, "target AnonHugePages before", tg_anon_huge(b, &tg, A), 0);
	/* EAGAIN is transient (a page briefly off the LRU): try again */
	for (int i = 0; i < 10 && (r = pmadv1(b, &tg, A, MMLAB_PMD_SIZE, MADV_COLLAPSE)) == -EAGAIN;
	     i++)
		usleep(20000);
	EXPECT(b, "collapse", r, MMLAB_PMD_SIZE);
	EXPECT(b, "  target AnonHugePages", tg_anon_huge(b, &tg, A), 2048);
	EXPECT(b, "  the caller's range is no THP", tg_anon_huge(b, &(struct target){
		.p = b->p, .pid = getpid() }, A), 0);
	target_stop(b, &tg);
}
DIFF_TEST_REQUIRES(pmadv_collapse, "thp")

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_pmadv_errors),
		cmocka_unit_test(t_pmadv_self),
		cmocka_unit_test(t_pmadv_pageout),
		cmocka_unit_test(t_pmadv_collapse),
	};
	int failed;

	host_swap_up(64 * MiB);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	host_swap_down();
	return tests_exit(failed);
}
