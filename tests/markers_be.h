/*
 * markers_be.h - backend helpers for the tests of PTE markers, userfaultfd,
 * soft-dirty and PM_SWAP (test_markers, test_uffd, test_soft_dirty,
 * test_pm_swap), on top of harness.h.
 *
 * - Swap on both backends: the model gets an area from mmlab_swapon(); the
 *   host gets one real swap file (host_swap_up() in main(), root only,
 *   swapoff and unlink at exit) that every host child shares.  A case that
 *   needs swap starts with `if (!be_swap(b)) return;`: without a host swap
 *   area the case is skipped.
 * - userfaultfd on both backends, as the model's default handler answers:
 *   on the host a real userfaultfd (UFFDIO_API, features 0) and a handler
 *   process forked from the host child (not a thread: nothing of it lives in
 *   the child's address space, so VmPTE and RSS move only with the case);
 *   it records each fault in a shared page, then resolves a wp fault by
 *   UFFDIO_WRITEPROTECT off and a missing fault by UFFDIO_ZEROPAGE.  Cases
 *   call be_uffd_init() first and be_uffd_done() last.
 * - fork on both backends: be_fork() runs a function as the child (host: a
 *   forked process writing into the same shared log; model: mmlab_fork).
 * - clear_refs and raw pagemap entries.
 */
#ifndef MMLAB_TESTS_MARKERS_BE_H
#define MMLAB_TESTS_MARKERS_BE_H

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/swap.h>
#include <linux/userfaultfd.h>

#include "harness.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_REMOVE
#define MADV_REMOVE 9
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif

#define RW		(PROT_READ | PROT_WRITE)
#define PM_SWP_TYPE(e)	((e) & 0x1f)
#define PM_SWP_OFF(e)	(((e) & MMLAB_PM_PFN_MASK) >> 5)

/* Marker encodings as pagemap shows them on the host (6.18, root). */
#define PM_GUARD_MARKER		0x440000000000009fULL	/* type 31, GUARD (bit 2) */
#define PM_UFFD_WP_MARKER	0x420000000000003fULL	/* type 31, UFFD_WP (bit 0) */
#define PM_POISONED_MARKER	0x400000000000005fULL	/* type 31, POISONED (bit 1) */

/* ------------------------------------------------------------------ */
/* Swap                                                                */

static char host_swap_path[128];
static bool host_swap_ok;
static pid_t host_swap_owner;

static inline int host_swap_write(int fd, uint64_t bytes)
{
	static char zero[1 << 16];
	static union {
		char page[4096];
		struct {
			char bootbits[1024];
			uint32_t version, last_page, nr_badpages;
			unsigned char uuid[16];
			char volume_name[16];
		} info;
	} h;
	uint64_t off;

	for (off = 0; off < bytes; off += sizeof(zero))
		if (pwrite(fd, zero, sizeof(zero), (off_t)off) != (ssize_t)sizeof(zero))
			return -1;
	memset(&h, 0, sizeof(h));
	h.info.version = 1;
	h.info.last_page = (uint32_t)(bytes / 4096 - 1);
	memcpy(h.page + 4096 - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return -1;
	return fsync(fd);
}

static inline void host_swap_down(void)
{
	if (!host_swap_path[0] || getpid() != host_swap_owner)
		return;	/* not in forked children */
	if (host_swap_ok)
		swapoff(host_swap_path);
	unlink(host_swap_path);
	host_swap_path[0] = 0;
	host_swap_ok = false;
}

static void host_swap_on_signal(int sig)
{
	host_swap_down();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A host swap area for the host children (root only; else cases skip).
 * Removed at exit, and when SIGINT, SIGTERM, SIGHUP or SIGPIPE kill us. */
static inline void host_swap_up(uint64_t bytes)
{
	const char *dir = getenv("MMLAB_SWAP_DIR");
	int fd;

	host_swap_owner = getpid();
	if (geteuid() || env_u64("MMLAB_TEST_NO_HOST_SWAP", 0))
		return;
	snprintf(host_swap_path, sizeof(host_swap_path), "%s/mmlab-test-swap.%d",
		 dir ? dir : "/var/tmp", (int)getpid());
	fd = open(host_swap_path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		host_swap_path[0] = 0;
		return;
	}
	if (host_swap_write(fd, bytes)) {
		close(fd);
		host_swap_down();
		return;
	}
	close(fd);
	if (swapon(host_swap_path, SWAP_FLAG_PREFER | (32000 & SWAP_FLAG_PRIO_MASK))) {
		fprintf(stderr, "host swapon %s: %s\n", host_swap_path, strerror(errno));
		host_swap_down();
		return;
	}
	host_swap_ok = true;
	atexit(host_swap_down);
	signal(SIGINT, host_swap_on_signal);
	signal(SIGTERM, host_swap_on_signal);
	signal(SIGHUP, host_swap_on_signal);
	signal(SIGPIPE, host_swap_on_signal);
}

/* A swap area on this backend: false (and the case skipped) when none. */
static inline bool be_swap(struct be *b)
{
	if (b->model) {
		int ret = mmlab_swapon(64 * MiB);

		EXPECT_ONLY(b, "model swapon", ret >= 0, 1);
		return ret >= 0;
	}
	if (!host_swap_ok) {
		b->log->skip = true;
		b->log->skip_why = "host: no swap area (not root?)";
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* userfaultfd                                                         */

#define HOST_UFFD_MAX	1000

struct host_uffd_log {
	int n;
	int resolve_errors;
	struct mmlab_uffd_event ev[HOST_UFFD_MAX];
};

static int host_uffd_fd = -1;
static pid_t host_uffd_pid = -1;
static struct host_uffd_log *host_uffd_sh;
static int host_uffd_taken;

static inline HOST_NO_SANITIZE void host_uffd_handler(int fd, pid_t parent,
						      struct host_uffd_log *sh)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct uffd_msg msg;
		uint64_t addr;
		int kind;

		if (getppid() != parent)
			_exit(0);
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (read(fd, &msg, sizeof(msg)) != (ssize_t)sizeof(msg))
			continue;
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		addr = msg.arg.pagefault.address & ~(uint64_t)(PG - 1);
		kind = (msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP) ?
		       MMLAB_UFFD_WP : MMLAB_UFFD_MISSING;
		if (sh->n < HOST_UFFD_MAX)
			sh->ev[sh->n] = (struct mmlab_uffd_event){ .addr = addr, .kind = kind };
		__atomic_store_n(&sh->n, sh->n + 1, __ATOMIC_RELEASE);
		if (kind == MMLAB_UFFD_WP) {
			struct uffdio_writeprotect w = {
				.range = { .start = addr, .len = PG }, .mode = 0,
			};

			if (ioctl(fd, UFFDIO_WRITEPROTECT, &w))
				sh->resolve_errors++;
		} else {
			struct uffdio_zeropage z = {
				.range = { .start = addr, .len = PG }, .mode = 0,
			};
			struct uffdio_range r = { .start = addr, .len = PG };

			if (ioctl(fd, UFFDIO_ZEROPAGE, &z) &&
			    ioctl(fd, UFFDIO_WAKE, &r))
				sh->resolve_errors++;
		}
	}
}

/* Open the host's userfaultfd and start its handler (before baselines). */
static inline void be_uffd_init(struct be *b)
{
	struct uffdio_api api = { .api = UFFD_API, .features = 0 };
	pid_t parent;
	int fd;

	if (b->model)
		return;
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	EXPECT_ONLY(b, "host: userfaultfd()", fd >= 0, 1);
	if (fd < 0)
		return;
	EXPECT_ONLY(b, "host: UFFDIO_API", ioctl(fd, UFFDIO_API, &api), 0);
	host_uffd_sh = mmap(NULL, sizeof(*host_uffd_sh), RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (host_uffd_sh == MAP_FAILED) {
		EXPECT_ONLY(b, "host: uffd log mmap", 0, 1);
		close(fd);
		return;
	}
	memset(host_uffd_sh, 0, sizeof(*host_uffd_sh));
	host_uffd_fd = fd;
	host_uffd_taken = 0;
	parent = getpid();
	host_uffd_pid = fork();
	if (host_uffd_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		host_uffd_handler(fd, parent, host_uffd_sh);
		_exit(0);
	}
}

/* Stop the host handler; check it resolved every fault it was given. */
static inline void be_uffd_done(struct be *b)
{
	if (b->model || host_uffd_fd < 0)
		return;
	EXPECT_ONLY(b, "host handler: resolve errors", host_uffd_sh->resolve_errors, 0);
	if (host_uffd_pid > 0) {
		kill(host_uffd_pid, SIGKILL);
		waitpid(host_uffd_pid, NULL, 0);
	}
	close(host_uffd_fd);
	host_uffd_fd = -1;
}

static inline int be_uffd_register(struct be *b, uint64_t addr, uint64_t len, int modes)
{
	struct uffdio_register reg = {
		.range = { .start = addr, .len = len },
		.mode = (uint64_t)modes,	/* MMLAB_UFFD_* are the UFFDIO_REGISTER_MODE_* bits */
	};

	if (b->model)
		return mmlab_uffd_register(b->p, addr, len, modes);
	return host_ret(ioctl(host_uffd_fd, UFFDIO_REGISTER, &reg));
}

static inline int be_uffd_wp(struct be *b, uint64_t addr, uint64_t len, bool on)
{
	struct uffdio_writeprotect w = {
		.range = { .start = addr, .len = len },
		.mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	if (b->model)
		return mmlab_uffd_wp(b->p, addr, len, on);
	return host_ret(ioctl(host_uffd_fd, UFFDIO_WRITEPROTECT, &w));
}

/* Faults delivered since the last call, oldest first. */
static inline int be_uffd_events(struct be *b, struct mmlab_uffd_event *ev, int max)
{
	int n, i = 0;

	if (b->model)
		return mmlab_uffd_events(b->p, ev, max);
	if (host_uffd_fd < 0)
		return 0;
	n = __atomic_load_n(&host_uffd_sh->n, __ATOMIC_ACQUIRE);
	while (host_uffd_taken < n && host_uffd_taken < HOST_UFFD_MAX && i < max)
		ev[i++] = host_uffd_sh->ev[host_uffd_taken++];
	return i;
}

/* Record the events since the last call: count, then page index and kind. */
static inline void obs_events(struct be *b, const char *label, uint64_t base,
			      int want)
{
	struct mmlab_uffd_event ev[16];
	int i, n = be_uffd_events(b, ev, 16);

	EXPECT(b, label, n, want);
	for (i = 0; i < n && i < 16; i++) {
		OBSI(b, "  event page", i, (int64_t)(ev[i].addr - base) / (int64_t)PG);
		OBSI(b, "  event kind", i, ev[i].kind);
	}
}

/* ------------------------------------------------------------------ */
/* fork, clear_refs, pagemap                                           */

typedef void (*child_fn)(struct be *child);

/* Run @fn as a fork child of the case's process; then the child exits. */
static inline void be_fork(struct be *b, child_fn fn)
{
	struct be cb = *b;

	if (b->model) {
		struct mmlab_proc *c = NULL;

		EXPECT_ONLY(b, "fork", mmlab_fork(b->p, &c) == 0, 1);
		if (!c)
			return;
		cb.p = c;
		cb.t = mmlab_main_task(c);
		fn(&cb);
		EXPECT_ONLY(b, "child exit", mmlab_exit(c), 0);
	} else {
		pid_t pid = fork();
		int st = 0;

		if (pid == 0) {
			cb.pagemap_fd = -1;	/* its own /proc/self/pagemap */
			fn(&cb);
			_exit(0);
		}
		EXPECT_ONLY(b, "fork", pid > 0, 1);
		if (pid > 0)
			waitpid(pid, &st, 0);
		EXPECT_ONLY(b, "child exit", WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
	}
}

static inline int be_clear_refs(struct be *b, int v)
{
	char c = (char)('0' + v);
	int fd, ret = 0;

	if (b->model)
		return mmlab_clear_refs(b->p, v);
	fd = open("/proc/self/clear_refs", O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, &c, 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

/* One raw pagemap entry (~0 on error). */
static inline uint64_t be_pm(struct be *b, uint64_t addr)
{
	uint64_t e = ~0ULL;

	if (be_pagemap(b, addr, 1, &e))
		return ~0ULL;
	return e;
}

static inline int be_map(struct be *b, uint64_t addr, uint64_t len, int flags, int fd)
{
	uint64_t out = 0;
	int ret = be_mmap(b, addr, len, RW, flags | MAP_FIXED_NOREPLACE, fd, 0, &out);

	if (!ret && out != addr)
		ret = -EFAULT;
	return ret;
}

/* Private anonymous rw at @addr, no THP. */
static inline int be_map_anon(struct be *b, uint64_t addr, uint64_t len)
{
	int ret = be_map(b, addr, len, MAP_PRIVATE | MAP_ANONYMOUS, -1);

	if (!ret)
		ret = be_madvise(b, addr, len, MADV_NOHUGEPAGE);
	return ret;
}

/* A memfd of @len mapped shared at @addr: the fd, or -errno. */
static inline int be_map_memfd(struct be *b, uint64_t addr, uint64_t len)
{
	int fd = be_memfd(b, "markers", len), ret;

	if (fd < 0)
		return fd;
	ret = be_map(b, addr, len, MAP_SHARED, fd);
	return ret ? ret : fd;
}

/* The first byte mmlab_touch writes at a page: ((a >> 12) & 0xff) | 1. */
static inline uint8_t touch_byte(uint64_t a)
{
	return (uint8_t)(((a >> 12) & 0xff) | 1);
}

static inline int be_read8(struct be *b, uint64_t addr, uint8_t *v)
{
	*v = 0;
	return be_read(b, addr, v, 1, NULL);
}

static inline int be_write8(struct be *b, uint64_t addr, uint8_t v)
{
	return be_write(b, addr, &v, 1, NULL);
}

#endif
