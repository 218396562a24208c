/*
 * harness.h - helpers shared by the mmlab tests (header only).
 *
 * Two kinds of test use it:
 *
 * - Model tests: machine_up() builds a machine with the stale-TLB detector on
 *   (MMLAB_STALE_CHECK=1), machine_down() checks that no access went through
 *   a stale TLB entry and destroys it.  Small assertion helpers read vmstat
 *   counters, pagemap entries and status.
 *
 * - Differential tests: a case is written once against struct be (a
 *   "backend": mmap, munmap, accesses, pagemap, status, maps) and run twice,
 *   first on the host kernel in a forked child (real system calls, nothing
 *   leaks into the test process), then on the model.  A case records
 *   observations (OBS) and checks fixed expectations (EXPECT); the test
 *   fails when either backend misses an expectation or when the two
 *   backends observed different things.  The host run happens before the
 *   machine exists, so the forked child never inherits model threads; it
 *   makes only system calls (no malloc, no stdio) and writes its record into
 *   a shared anonymous page.
 *
 * Cases work at fixed addresses in [DIFF_BASE, DIFF_BASE + DIFF_SPAN): far
 * from where either backend puts its own mappings, so a case may compare
 * absolute addresses.  The host child checks that range is free first; if
 * it is not, the case is skipped, and the executable exits 77 (skip) when
 * nothing failed, so that a skip is never reported as a pass.
 */
#ifndef MMLAB_TESTS_HARNESS_H
#define MMLAB_TESTS_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <cmocka.h>

#include "mmlab/mmlab.h"

/* Seconds on the monotonic clock, for tests that run for a while. */
/*
 * Under the deterministic scheduler (MMLAB_SCHED, or a config asking for
 * it) a test's clock is the simulated one, read so that 10 simulated
 * milliseconds (100,000 scheduling steps) count as a second: a stress test
 * of MMLAB_STRESS_SECONDS=3 runs 30 simulated ms, and replays exactly (its
 * seed defaults to the scheduler's, see seed_default()).
 * Threads that touch the model are made with mmlab_thread_create(), and a
 * pause is a scheduling point (stress_pause).
 */
static inline double now_s(void)
{
	struct timespec ts;

	if (mmlab_deterministic())
		return (double)mmlab_now_ns() / 1e7;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A test's default seed: the scheduler's under MMLAB_SCHED (so that the
 * run replays), the time otherwise. */
static inline uint64_t seed_default(void)
{
	const char *e = getenv("MMLAB_SCHED");

	return e && *e ? strtoull(e, NULL, 10) : (uint64_t)time(NULL);
}

/* A pause of @us, on the scale of now_s(): 10 x us simulated ns when
 * deterministic, spent letting the other threads run. */
static inline void stress_pause(unsigned int us)
{
	uint64_t until;

	if (!mmlab_deterministic()) {
		usleep(us);
		return;
	}
	until = mmlab_now_ns() + 10ULL * us;
	do
		mmlab_yield();
	while (mmlab_now_ns() < until);
}

#define PG		MMLAB_PAGE_SIZE
#define KiB		1024ULL
#define MiB		(1024ULL * KiB)
#define GiB		(1024ULL * MiB)
#define TASK_SIZE_47	0x7ffffffff000ULL	/* x86-64, 4-level paging */
#define MODEL_MMAP_MIN	0x1000ULL		/* the model's vm.mmap_min_addr */

/*
 * 0x7e80_0000_0000: a 512 GiB-aligned region that is ordinary free memory in
 * a plain, an ASan (above its shadow) and a TSan (its high application
 * range) host process, below where the host's mmap_base can fall and below
 * the model's mmap_base.
 */
#define DIFF_BASE	0x7e8000000000ULL
#define DIFF_SPAN	(4 * GiB)

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MADV_FREE
#define MADV_FREE 8
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Model machine set-up                                                */

static inline void machine_config(struct mmlab_config *cfg)
{
	mmlab_config_default(cfg);
	cfg->node_bytes[0] = 1 * GiB;
}

/* Create a machine from @cfg (NULL: defaults with 1 GiB on node 0). */
static inline void machine_up_cfg(const struct mmlab_config *cfg)
{
	struct mmlab_config def;
	int ret;

	setenv("MMLAB_STALE_CHECK", "1", 1);
	if (!cfg) {
		machine_config(&def);
		cfg = &def;
	}
	ret = mmlab_machine_create(cfg);
	if (ret)
		fail_msg("mmlab_machine_create: %d (%s)", ret, strerror(-ret));
}

/*
 * The host's profile (`mmlab host --model-sets`): the model knobs that make
 * the model behave as the kernel the host side of a differential case runs
 * on (no zero page, soft-dirty, ...).  MMLAB_EXE names the mmlab executable
 * (meson sets it).  Loaded with no machine up (it forks), applied after.
 */
static char host_sets[16][192];
static int nr_host_sets = -1;

static inline void host_profile_load(void)
{
	const char *exe = getenv("MMLAB_EXE");
	char cmd[600];
	FILE *f;

	if (nr_host_sets >= 0)
		return;
	nr_host_sets = 0;
	if (!exe) {
		print_message("MMLAB_EXE is not set: the model side runs as stock "
			      "6.18, not in this host's profile\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "'%s' host --model-sets", exe);
	f = popen(cmd, "re");
	while (f && nr_host_sets < 16 &&
	       fgets(host_sets[nr_host_sets], sizeof(host_sets[0]), f)) {
		host_sets[nr_host_sets][strcspn(host_sets[nr_host_sets], "\n")] = 0;
		if (strchr(host_sets[nr_host_sets], '='))
			nr_host_sets++;
	}
	if (!f || pclose(f))
		fail_msg("%s host --model-sets failed", exe);
}

static inline void host_profile_apply(void)
{
	for (int i = 0; i < nr_host_sets; i++) {
		char kv[192], *eq;
		int ret;

		memcpy(kv, host_sets[i], sizeof(kv));
		eq = strchr(kv, '=');
		*eq = 0;
		ret = mmlab_knob_set(kv, eq + 1);
		if (ret)
			fail_msg("host profile: %s=%s: %d", kv, eq + 1, ret);
	}
}

static inline uint64_t vmstat(const char *name)
{
	uint64_t v = 0;
	int ret = mmlab_vmstat_get(name, &v);

	if (ret)
		fail_msg("vmstat %s: %d", name, ret);
	return v;
}

/*
 * Wait (up to 5 s) for a counter to come back to @want.  Page tables are
 * freed after an RCU grace period, and nr_page_table_pages drops only then,
 * as in the kernel; a value that never comes back is a leak.
 */
static inline uint64_t vmstat_settle(const char *name, uint64_t want)
{
	uint64_t v = vmstat(name);
	int i;

	for (i = 0; i < 500 && v != want; i++) {
		stress_pause(10000);	/* RCU callbacks and kthreads run */
		v = vmstat(name);
	}
	return v;
}

/* Set a knob of the model; a refusal fails the test. */
static inline void knob(const char *path, const char *val)
{
	int ret = mmlab_knob_set(path, val);

	if (ret)
		fail_msg("knob %s=%s: %d", path, val, ret);
}

static inline void knob_u(const char *path, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	knob(path, buf);
}

/*
 * Wait (up to 3 s) for nr_free_pages to come back to @want after every
 * process of a stress run exited: each round first drains what holds pages
 * for a while (khugepaged, RCU, LRU batches, per-CPU lists: mmlab_quiesce).
 * Returns the last value read.
 */
static inline uint64_t free_pages_settle(uint64_t want)
{
	uint64_t v = 0;

	for (int i = 0; i < 300; i++) {
		mmlab_quiesce();
		v = vmstat("nr_free_pages");
		if (v == want)
			break;
		stress_pause(10000);
	}
	return v;
}

/* Zero stale-TLB reports, then destroy. */
static inline void machine_down(void)
{
	uint64_t stale = vmstat("stale_tlb_reports");

	mmlab_machine_destroy();
	if (stale)
		fail_msg("stale_tlb_reports = %" PRIu64 " (want 0)", stale);
}

static inline int setup_machine(void **state)
{
	(void)state;
	machine_up_cfg(NULL);
	return 0;
}

static inline int teardown_machine(void **state)
{
	(void)state;
	machine_down();
	return 0;
}

static inline struct mmlab_proc *spawn(void)
{
	struct mmlab_proc *p = NULL;

	assert_int_equal(mmlab_spawn(&p), 0);
	assert_non_null(p);
	return p;
}

static inline struct mmlab_task *task_on(struct mmlab_proc *p, unsigned int cpu)
{
	struct mmlab_task *t = NULL;

	assert_int_equal(mmlab_thread(p, cpu, &t), 0);
	assert_non_null(t);
	assert_int_equal(mmlab_task_cpu(t), cpu);
	return t;
}

static inline uint64_t map_anon(struct mmlab_proc *p, uint64_t addr, uint64_t len,
				int prot, int extra)
{
	uint64_t out = 0;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | extra;
	int ret;

	if (addr)
		flags |= MAP_FIXED;
	ret = mmlab_mmap(mmlab_main_task(p), addr, len, prot, flags, -1, 0, &out);
	if (ret)
		fail_msg("mmap(%#" PRIx64 ", %#" PRIx64 "): %d", addr, len, ret);
	if (addr)
		assert_int_equal(out, addr);
	assert_int_equal(out % PG, 0);
	return out;
}

static inline uint64_t pm1(struct mmlab_proc *p, uint64_t addr)
{
	uint64_t e = 0;

	assert_int_equal(mmlab_pagemap(p, addr, 1, &e), 0);
	return e;
}

static inline uint64_t pfn_of(uint64_t e)
{
	return e & MMLAB_PM_PFN_MASK;
}

static inline struct mmlab_status status_of(struct mmlab_proc *p)
{
	struct mmlab_status st;

	memset(&st, 0xff, sizeof(st));
	assert_int_equal(mmlab_status(p, &st), 0);
	return st;
}

static inline void put64(struct mmlab_task *t, uint64_t addr, uint64_t v)
{
	uint64_t fa = 0;
	int ret = mmlab_write(t, addr, &v, sizeof(v), &fa);

	if (ret)
		fail_msg("write %#" PRIx64 ": %d (fault at %#" PRIx64 ")", addr,
			 ret, fa);
}

static inline uint64_t get64(struct mmlab_task *t, uint64_t addr)
{
	uint64_t v = 0, fa = 0;
	int ret = mmlab_read(t, addr, &v, sizeof(v), &fa);

	if (ret)
		fail_msg("read %#" PRIx64 ": %d (fault at %#" PRIx64 ")", addr,
			 ret, fa);
	return v;
}

static inline void fill_ok(struct mmlab_task *t, uint64_t addr, uint64_t len,
			   uint64_t seed)
{
	uint64_t fa = 0;
	int ret = mmlab_fill(t, addr, len, seed, &fa);

	if (ret)
		fail_msg("fill %#" PRIx64 "+%#" PRIx64 ": %d (fault at %#" PRIx64 ")",
			 addr, len, ret, fa);
}

static inline void verify_ok(struct mmlab_task *t, uint64_t addr, uint64_t len,
			     uint64_t seed)
{
	uint64_t fa = 0, bad = 0;
	int ret = mmlab_verify(t, addr, len, seed, &bad, &fa);

	if (ret)
		fail_msg("verify %#" PRIx64 "+%#" PRIx64 ": %d (fault at %#" PRIx64 ")",
			 addr, len, ret, fa);
	if (bad != UINT64_MAX)
		fail_msg("verify %#" PRIx64 "+%#" PRIx64 " seed %#" PRIx64
			 ": mismatch at %#" PRIx64, addr, len, seed, bad);
}

/* Reads as all zero bytes. */
static inline void zero_ok(struct mmlab_task *t, uint64_t addr, uint64_t len)
{
	static uint8_t buf[64 * 1024];
	uint64_t done, n, i, fa = 0;
	int ret;

	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		ret = mmlab_read(t, addr + done, buf, n, &fa);
		if (ret)
			fail_msg("read %#" PRIx64 ": %d", addr + done, ret);
		for (i = 0; i < n; i++)
			if (buf[i])
				fail_msg("byte at %#" PRIx64 " is %#x, want 0",
					 addr + done + i, buf[i]);
	}
}

static inline uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return def;
	return v;
}

/* ------------------------------------------------------------------ */
/* Differential backends                                               */

struct vma_desc {
	uint64_t start, end;
	int prot;
	bool shared;
};

#define OBS_MAX 512

struct obs {
	const char *label;	/* a string literal: same address in the child */
	long idx;
	int64_t v;
	int64_t want;
	bool expect;		/* an expectation, not only an observation */
	bool ok;
	bool nodiff;		/* one backend only: not compared */
};

struct obs_log {
	int n;
	int nfail;
	bool overflow;
	bool skip;
	const char *skip_why;
	struct obs e[OBS_MAX];
};

struct be {
	bool model;
	const char *name;
	struct obs_log *log;
	uint64_t mmap_min_addr;
	/* model only */
	struct mmlab_proc *p;
	struct mmlab_task *t;
	/* host only: /proc/self/pagemap */
	int pagemap_fd;
};

static inline void obs_add(struct be *b, const char *label, long idx, int64_t v,
			   bool expect, int64_t want, bool nodiff)
{
	struct obs_log *log = b->log;
	struct obs *o;

	if (log->n >= OBS_MAX) {
		log->overflow = true;
		return;
	}
	o = &log->e[log->n++];
	o->label = label;
	o->idx = idx;
	o->v = v;
	o->want = want;
	o->expect = expect;
	o->ok = !expect || v == want;
	o->nodiff = nodiff;
	if (!o->ok)
		log->nfail++;
}

/* Record @v; it must be the same on both backends. */
#define OBS(b, label, v)		obs_add(b, label, -1, (int64_t)(v), false, 0, false)
#define OBSI(b, label, i, v)		obs_add(b, label, i, (int64_t)(v), false, 0, false)
/* @v must equal @want on both backends (and so is also compared). */
#define EXPECT(b, label, v, want)	obs_add(b, label, -1, (int64_t)(v), true, (int64_t)(want), false)
#define EXPECTI(b, label, i, v, want)	obs_add(b, label, i, (int64_t)(v), true, (int64_t)(want), false)
/* An expectation that holds on one backend only (not compared). */
#define EXPECT_ONLY(b, label, v, want)	obs_add(b, label, -1, (int64_t)(v), true, (int64_t)(want), true)

/* Host backend: real system calls, in a forked child. */

static sigjmp_buf host_jmp;
static volatile sig_atomic_t host_sig;
static volatile uint64_t host_fault_addr;

static void host_on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	host_sig = sig;
	host_fault_addr = (uint64_t)(uintptr_t)si->si_addr;
	siglongjmp(host_jmp, 1);
}

/*
 * Not instrumented: sanitizer shadow accesses would fault in page tables of
 * their own and move the VmPTE and RSS the cases observe.
 */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 8)
#define HOST_NO_SANITIZE __attribute__((no_sanitize("address", "thread")))
#else
#define HOST_NO_SANITIZE
#endif

static inline HOST_NO_SANITIZE int host_access(uint64_t addr, uint8_t *buf, size_t len,
					       bool write, uint64_t *fault_addr)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)addr;
	volatile size_t i = 0;

	if (sigsetjmp(host_jmp, 1)) {
		if (fault_addr)
			*fault_addr = host_fault_addr;
		return host_sig == SIGBUS ? MMLAB_SIGBUS : MMLAB_SIGSEGV;
	}
	for (i = 0; i < len; i++) {
		if (write)
			p[i] = buf[i];
		else
			buf[i] = p[i];
	}
	return 0;
}

/* Drop CAP_SYS_RAWIO so that mmap_min_addr applies, as to a plain program. */
static inline void host_drop_rawio(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct { uint64_t cur, max; } rl;

	if (syscall(SYS_capget, &h, d))
		return;
	d[CAP_SYS_RAWIO / 32].effective &= ~(1U << (CAP_SYS_RAWIO % 32));
	d[CAP_SYS_RAWIO / 32].permitted &= ~(1U << (CAP_SYS_RAWIO % 32));
	/* an ordinary program for mlock too: RLIMIT_MEMLOCK holds (8 MiB,
	 * the model's default) */
	d[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	syscall(SYS_capset, &h, d);
	if (!syscall(SYS_getrlimit, 8 /* RLIMIT_MEMLOCK */, &rl)) {
		rl.cur = rl.max < 8 * MiB ? rl.max : 8 * MiB;
		syscall(SYS_setrlimit, 8, &rl);
	}
}

static inline uint64_t host_read_u64_file(const char *path)
{
	char buf[64];
	uint64_t v = 0;
	ssize_t n, i;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	for (i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(buf[i] - '0');
	return v;
}

/* Read a whole /proc file into a static buffer (no malloc in the child). */
static inline ssize_t host_slurp(const char *path, char *buf, size_t size)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while ((size_t)got < size - 1) {
		n = read(fd, buf + got, size - 1 - got);
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = 0;
	return got;
}

static inline uint64_t parse_hex(const char **s)
{
	uint64_t v = 0;

	for (;; (*s)++) {
		char c = **s;

		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			return v;
	}
}

static char host_maps_buf[1 << 20];

static inline int host_vmas(uint64_t lo, uint64_t hi, struct vma_desc *out, int max)
{
	const char *s;
	int n = 0;

	if (host_slurp("/proc/self/maps", host_maps_buf, sizeof(host_maps_buf)) < 0)
		return -1;
	for (s = host_maps_buf; *s; ) {
		struct vma_desc v;

		v.start = parse_hex(&s);
		s++;			/* '-' */
		v.end = parse_hex(&s);
		s++;			/* ' ' */
		v.prot = (s[0] == 'r' ? PROT_READ : 0) |
			 (s[1] == 'w' ? PROT_WRITE : 0) |
			 (s[2] == 'x' ? PROT_EXEC : 0);
		v.shared = s[3] == 's';
		while (*s && *s != '\n')
			s++;
		if (*s)
			s++;
		if (v.end <= lo || v.start >= hi)
			continue;
		if (n < max)
			out[n] = v;
		n++;
	}
	return n;
}

static char host_status_buf[8192];

/* /proc/@pid/status (0: this process) */
static inline int host_status_pid(int pid, struct mmlab_status *st)
{
	char *buf = host_status_buf;
	static const struct { const char *key; size_t off; } keys[] = {
		{ "VmSize:", offsetof(struct mmlab_status, VmSize) },
		{ "VmRSS:", offsetof(struct mmlab_status, VmRSS) },
		{ "RssAnon:", offsetof(struct mmlab_status, RssAnon) },
		{ "RssFile:", offsetof(struct mmlab_status, RssFile) },
		{ "RssShmem:", offsetof(struct mmlab_status, RssShmem) },
		{ "VmPTE:", offsetof(struct mmlab_status, VmPTE) },
		{ "VmSwap:", offsetof(struct mmlab_status, VmSwap) },
		{ "VmPeak:", offsetof(struct mmlab_status, VmPeak) },
		{ "VmLck:", offsetof(struct mmlab_status, VmLck) },
		{ "VmHWM:", offsetof(struct mmlab_status, VmHWM) },
	};
	char path[40];
	const char *s;
	size_t k;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (host_slurp(pid ? path : "/proc/self/status", buf, sizeof(host_status_buf)) < 0)
		return -1;
	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		uint64_t v = 0;

		s = strstr(buf, keys[k].key);
		if (!s)
			return -1;
		s += strlen(keys[k].key);
		while (*s == ' ' || *s == '\t')
			s++;
		while (*s >= '0' && *s <= '9')
			v = v * 10 + (uint64_t)(*s++ - '0');
		*(uint64_t *)((char *)st + keys[k].off) = v;
	}
	return 0;
}

static inline int host_status(struct mmlab_status *st)
{
	return host_status_pid(0, st);
}

/* Backend operations: 0 or -errno; accesses 0 or MMLAB_SIG*. */

static inline int be_mmap(struct be *b, uint64_t addr, uint64_t len, int prot,
			  int flags, int fd, uint64_t off, uint64_t *out)
{
	long r;

	*out = 0;
	if (b->model)
		return mmlab_mmap(b->t, addr, len, prot, flags, fd, off, out);
	r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	if (r == -1)	/* glibc's syscall(): -1 and errno on failure */
		return -errno;
	*out = (uint64_t)r;
	return 0;
}

static inline int host_ret(long r)
{
	return r < 0 ? -errno : 0;
}

static inline int be_munmap(struct be *b, uint64_t addr, uint64_t len)
{
	if (b->model)
		return mmlab_munmap(b->t, addr, len);
	return host_ret(syscall(SYS_munmap, addr, len));
}

static inline int be_mprotect(struct be *b, uint64_t addr, uint64_t len, int prot)
{
	if (b->model)
		return mmlab_mprotect(b->t, addr, len, prot);
	return host_ret(syscall(SYS_mprotect, addr, len, prot));
}

static inline int be_madvise(struct be *b, uint64_t addr, uint64_t len, int advice)
{
	if (b->model)
		return mmlab_madvise(b->t, addr, len, advice);
	return host_ret(syscall(SYS_madvise, addr, len, advice));
}

static inline int be_mlock(struct be *b, uint64_t addr, uint64_t len, int flags)
{
	if (b->model)
		return mmlab_mlock(b->t, addr, len, flags);
	return host_ret(syscall(SYS_mlock2, addr, len, flags));
}

static inline int be_munlock(struct be *b, uint64_t addr, uint64_t len)
{
	if (b->model)
		return mmlab_munlock(b->t, addr, len);
	return host_ret(syscall(SYS_munlock, addr, len));
}

/* The soft RLIMIT_MEMLOCK, in bytes. */
static inline int be_memlock_limit(struct be *b, uint64_t bytes)
{
	struct { uint64_t cur, max; } rl;

	if (b->model)
		return mmlab_setrlimit(b->p, MMLAB_RLIMIT_MEMLOCK, bytes);
	if (syscall(SYS_getrlimit, 8, &rl))
		return -errno;
	rl.cur = bytes;
	return host_ret(syscall(SYS_setrlimit, 8, &rl));
}

static inline int be_memfd(struct be *b, const char *name, uint64_t size)
{
	int fd, err;

	if (b->model)
		return mmlab_memfd(b->p, name, size);
	fd = (int)syscall(SYS_memfd_create, name, 0);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_ftruncate, fd, size)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static inline int be_close(struct be *b, int fd)
{
	if (b->model)
		return mmlab_close(b->p, fd);
	return host_ret(syscall(SYS_close, fd));
}

/* memfd_create alone (flags: MMLAB_MFD_*, the kernel's values). */
static inline int be_memfd_create(struct be *b, const char *name, unsigned int flags)
{
	long fd;

	if (b->model)
		return mmlab_memfd_create(b->p, name, flags);
	fd = syscall(SYS_memfd_create, name, flags);
	return fd < 0 ? -errno : (int)fd;
}

/* open("/proc/self/fd/FD", flags): MMLAB_O_* are the kernel's O_* */
static inline int be_reopen(struct be *b, int fd, int flags)
{
	char path[32];
	long n;

	if (b->model)
		return mmlab_reopen(b->p, fd, flags);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = syscall(SYS_openat, AT_FDCWD, path, flags);
	return n < 0 ? -errno : (int)n;
}

static inline int be_ftruncate(struct be *b, int fd, int64_t len)
{
	if (b->model)
		return mmlab_ftruncate(b->p, fd, len);
	return host_ret(syscall(SYS_ftruncate, fd, len));
}

static inline int be_fallocate(struct be *b, int fd, int mode, int64_t off, int64_t len)
{
	if (b->model)
		return mmlab_fallocate(b->p, fd, mode, off, len);
	return host_ret(syscall(SYS_fallocate, fd, mode, off, len));
}

#ifndef F_ADD_SEALS
#define F_ADD_SEALS	1033
#define F_GET_SEALS	1034
#endif

static inline int be_add_seals(struct be *b, int fd, unsigned int seals)
{
	if (b->model)
		return mmlab_add_seals(b->p, fd, seals);
	return host_ret(syscall(SYS_fcntl, fd, F_ADD_SEALS, seals));
}

/* The seals, or -errno. */
static inline int be_get_seals(struct be *b, int fd)
{
	long r;

	if (b->model)
		return mmlab_get_seals(b->p, fd);
	r = syscall(SYS_fcntl, fd, F_GET_SEALS);
	return r < 0 ? -errno : (int)r;
}

static inline int be_msync(struct be *b, uint64_t addr, uint64_t len, int flags)
{
	if (b->model)
		return mmlab_msync(b->t, addr, len, flags);
	return host_ret(syscall(SYS_msync, addr, len, flags));
}

static inline int be_read(struct be *b, uint64_t addr, void *buf, size_t len,
			  uint64_t *fa)
{
	if (b->model)
		return mmlab_read(b->t, addr, buf, len, fa);
	return host_access(addr, buf, len, false, fa);
}

static inline int be_write(struct be *b, uint64_t addr, const void *buf, size_t len,
			   uint64_t *fa)
{
	if (b->model)
		return mmlab_write(b->t, addr, buf, len, fa);
	return host_access(addr, (uint8_t *)buf, len, true, fa);
}

/* One 8-byte store / load; returns 0 or the signal. */
static inline int be_put(struct be *b, uint64_t addr, uint64_t v)
{
	return be_write(b, addr, &v, sizeof(v), NULL);
}

static inline int be_get(struct be *b, uint64_t addr, uint64_t *v)
{
	*v = 0;
	return be_read(b, addr, v, sizeof(*v), NULL);
}

static inline int be_pagemap(struct be *b, uint64_t addr, uint64_t n, uint64_t *out)
{
	ssize_t want = (ssize_t)(n * 8);

	if (b->model)
		return mmlab_pagemap(b->p, addr, n, out);
	if (b->pagemap_fd < 0)
		b->pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	if (b->pagemap_fd < 0)
		return -errno;
	if (pread(b->pagemap_fd, out, want, (off_t)(addr / PG * 8)) != want)
		return -EIO;
	return 0;
}

/* Pages of [addr, addr + n pages) present in the page tables (n <= 64),
 * -1 on error. */
static inline int be_present(struct be *b, uint64_t addr, int n)
{
	uint64_t e[64];
	int c = 0;

	if (n > 64 || be_pagemap(b, addr, (uint64_t)n, e))
		return -1;
	for (int i = 0; i < n; i++)
		c += !!(e[i] & MMLAB_PM_PRESENT);
	return c;
}

static inline int be_status(struct be *b, struct mmlab_status *st)
{
	if (b->model)
		return mmlab_status(b->p, st);
	return host_status(st);
}

static inline bool flags_shared(int flags)
{
	return (flags & 3) == MAP_SHARED || (flags & 3) == MAP_SHARED_VALIDATE;
}

/* VMAs overlapping [lo, hi), in address order: their number. */
static inline int be_vmas(struct be *b, uint64_t lo, uint64_t hi,
			  struct vma_desc *out, int max)
{
	int i, n = 0, cnt;

	if (!b->model)
		return host_vmas(lo, hi, out, max);
	cnt = mmlab_vma_count(b->p);
	for (i = 0; i < cnt; i++) {
		struct vma_desc v;
		int prot = 0, flags = 0;

		if (mmlab_vma_get(b->p, i, &v.start, &v.end, &prot, &flags))
			return -1;
		v.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
		v.shared = flags_shared(flags);
		if (v.end <= lo || v.start >= hi)
			continue;
		if (n < max)
			out[n] = v;
		n++;
	}
	return n;
}

/* Record the VMA layout of [lo, hi): count, then each VMA. */
static inline void obs_vmas(struct be *b, const char *label, uint64_t lo, uint64_t hi)
{
	struct vma_desc v[32];
	int i, n = be_vmas(b, lo, hi, v, 32);

	OBS(b, label, n);
	for (i = 0; i < n && i < 32; i++) {
		OBSI(b, "  vma start", i, v[i].start);
		OBSI(b, "  vma end", i, v[i].end);
		OBSI(b, "  vma prot", i, v[i].prot);
		OBSI(b, "  vma shared", i, v[i].shared);
	}
}

/* The pagemap bits a plain program sees (no PFN). */
#define PM_BITS (MMLAB_PM_PRESENT | MMLAB_PM_SWAP | MMLAB_PM_FILE | \
		 MMLAB_PM_MMAP_EXCLUSIVE)

static inline void obs_pagemap(struct be *b, const char *label, uint64_t addr,
			       uint64_t n)
{
	uint64_t e[64];
	uint64_t i;

	if (n > 64)
		n = 64;
	if (be_pagemap(b, addr, n, e)) {
		OBS(b, label, -1);
		return;
	}
	for (i = 0; i < n; i++)
		OBSI(b, label, (long)i, e[i] & PM_BITS);
}

/* Parse the smaps entry of the VMA holding @addr in /proc/@pid/smaps (0:
 * this process). */
static inline int host_smaps_pid(int pid, uint64_t addr, struct mmlab_smaps *out)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "Size:", offsetof(struct mmlab_smaps, Size) },
		{ "Rss:", offsetof(struct mmlab_smaps, Rss) },
		{ "Pss:", offsetof(struct mmlab_smaps, Pss) },
		{ "Shared_Clean:", offsetof(struct mmlab_smaps, Shared_Clean) },
		{ "Shared_Dirty:", offsetof(struct mmlab_smaps, Shared_Dirty) },
		{ "Private_Clean:", offsetof(struct mmlab_smaps, Private_Clean) },
		{ "Private_Dirty:", offsetof(struct mmlab_smaps, Private_Dirty) },
		{ "Referenced:", offsetof(struct mmlab_smaps, Referenced) },
		{ "Anonymous:", offsetof(struct mmlab_smaps, Anonymous) },
		{ "AnonHugePages:", offsetof(struct mmlab_smaps, AnonHugePages) },
		{ "ShmemPmdMapped:", offsetof(struct mmlab_smaps, ShmemPmdMapped) },
		{ "Swap:", offsetof(struct mmlab_smaps, Swap) },
		{ "SwapPss:", offsetof(struct mmlab_smaps, SwapPss) },
		{ "Locked:", offsetof(struct mmlab_smaps, Locked) },
	};
	const char *s = host_maps_buf;
	bool in = false;
	char path[40];
	size_t k;

	memset(out, 0, sizeof(*out));
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	if (host_slurp(pid ? path : "/proc/self/smaps", host_maps_buf, sizeof(host_maps_buf)) < 0)
		return -EIO;
	while (*s) {
		const char *line = s;

		while (*s && *s != '\n')
			s++;
		if (*s)
			s++;
		if ((line[0] >= '0' && line[0] <= '9') ||
		    (line[0] >= 'a' && line[0] <= 'f')) {
			const char *q = line;
			uint64_t st = parse_hex(&q), en;

			if (*q != '-')
				goto field;
			q++;
			en = parse_hex(&q);
			if (in)
				return 0;
			in = addr >= st && addr < en;
			if (in) {
				out->start = st;
				out->end = en;
			}
			continue;
		}
field:
		if (!in)
			continue;
		if (!strncmp(line, "VmFlags:", 8)) {
			size_t n = 0;

			line += 8;
			while (*line == ' ')
				line++;
			while (line[n] && line[n] != '\n' && n < sizeof(out->flags) - 1) {
				out->flags[n] = line[n];
				n++;
			}
			out->flags[n] = 0;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(keys); k++) {
			size_t kl = strlen(keys[k].key);
			const char *q = line + kl;
			uint64_t v = 0;

			if (strncmp(line, keys[k].key, kl))
				continue;
			while (*q == ' ')
				q++;
			while (*q >= '0' && *q <= '9')
				v = v * 10 + (uint64_t)(*q++ - '0');
			*(uint64_t *)((char *)out + keys[k].off) = v;
		}
	}
	return in ? 0 : -ENOENT;
}

static inline int host_smaps(uint64_t addr, struct mmlab_smaps *out)
{
	return host_smaps_pid(0, addr, out);
}

static inline int be_smaps(struct be *b, uint64_t addr, struct mmlab_smaps *out)
{
	if (b->model)
		return mmlab_smaps(b->p, addr, out);
	return host_smaps(addr, out);
}

/* Does the VmFlags string hold the two-letter @tok? */
static inline bool vmflag(const char *flags, const char *tok)
{
	const char *s;

	for (s = flags; (s = strstr(s, tok)); s++)
		if ((s == flags || s[-1] == ' ') && (s[2] == ' ' || s[2] == 0))
			return true;
	return false;
}

/* Record smaps of the VMA at @addr: range, sizes, and the common VmFlags. */
static inline void obs_smaps(struct be *b, const char *label, uint64_t addr)
{
	static const char *const toks[] = {
		"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gu", "ac", "nr",
		"hg", "nh", "mg",
	};
	struct mmlab_smaps sm;
	size_t k;
	int ret = be_smaps(b, addr, &sm);

	OBS(b, label, ret);
	if (ret)
		return;
	OBS(b, "  smaps start", sm.start);
	OBS(b, "  smaps end", sm.end);
	OBS(b, "  Size", sm.Size);
	OBS(b, "  Rss", sm.Rss);
	OBS(b, "  Pss", sm.Pss);
	OBS(b, "  Shared_Clean", sm.Shared_Clean);
	OBS(b, "  Shared_Dirty", sm.Shared_Dirty);
	OBS(b, "  Private_Clean", sm.Private_Clean);
	OBS(b, "  Private_Dirty", sm.Private_Dirty);
	OBS(b, "  Anonymous", sm.Anonymous);
	OBS(b, "  AnonHugePages", sm.AnonHugePages);
	OBS(b, "  Swap", sm.Swap);
	for (k = 0; k < ARRAY_SIZE(toks); k++)
		OBS(b, toks[k], vmflag(sm.flags, toks[k]));	/* VmFlags token */
}

/*
 * Under ASan and TSan the host child's own RSS moves by itself (shadow
 * pages of the runtime): RSS deltas are then checked on the model only.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HOST_RSS_EXACT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HOST_RSS_EXACT 0
#endif
#endif
#ifndef HOST_RSS_EXACT
#define HOST_RSS_EXACT 1
#endif

/* An RSS delta: compared with the host only where the host's is exact. */
#define EXPECT_RSS(b, label, v, want) do {				\
	if (HOST_RSS_EXACT)						\
		EXPECT(b, label, v, want);				\
	else if ((b)->model)						\
		EXPECT_ONLY(b, label, v, want);				\
} while (0)

typedef void (*diff_case_fn)(struct be *b);

static int diff_skipped;

/* main's exit status: cmocka's, or 77 (skip) when cases were skipped. */
static inline int tests_exit(int failed)
{
	if (!failed && diff_skipped) {
		fprintf(stderr, "%d case(s) skipped\n", diff_skipped);
		return 77;
	}
	return failed;
}

/* Check the case's range is free on the host; mark the log skipped if not. */
static inline bool host_range_free(struct be *b)
{
	struct vma_desc v[1];

	if (host_vmas(DIFF_BASE, DIFF_BASE + DIFF_SPAN, v, 1) != 0) {
		b->log->skip = true;
		b->log->skip_why = "host: the test range is in use";
		return false;
	}
	return true;
}

/*
 * Touch the child's buffers and some stack before the case runs, so that
 * VmPTE and RSS move only with what the case does.
 */
static inline void host_prefault(void)
{
	volatile char stack[128 * 1024];
	size_t i;

	for (i = 0; i < sizeof(stack); i += 1024)
		stack[i] = 0;
	memset(host_maps_buf, 0, sizeof(host_maps_buf));
	memset(host_status_buf, 0, sizeof(host_status_buf));
}

static inline struct obs_log *diff_run_host(diff_case_fn fn)
{
	struct obs_log *log;
	pid_t pid;
	int st = 0;

	log = mmap(NULL, sizeof(*log), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(log != MAP_FAILED);
	memset(log, 0, sizeof(*log));
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sigaction sa;
		struct be b = {
			.model = false, .name = "host", .log = log,
			.pagemap_fd = -1,
		};

		/* Not cmocka's handlers: a crash here is the child's death. */
		signal(SIGABRT, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = host_on_signal;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		host_drop_rawio();
		host_prefault();
		b.mmap_min_addr = host_read_u64_file("/proc/sys/vm/mmap_min_addr");
		if (host_range_free(&b))
			fn(&b);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("host child died: status %#x", st);
	return log;
}

static inline void diff_print(const char *who, const struct obs *o)
{
	if (o->idx >= 0)
		print_message("  %s: %s[%ld] = %" PRId64, who, o->label, o->idx, o->v);
	else
		print_message("  %s: %s = %" PRId64, who, o->label, o->v);
	if (o->expect && !o->ok)
		print_message(" (want %" PRId64 ")", o->want);
	print_message("\n");
}

/* Run @fn on a fresh model machine (in the host's profile, or stock) and
 * return its log; the machine is still up. */
static inline struct obs_log *diff_run_model(diff_case_fn fn, bool profile)
{
	struct obs_log *model = calloc(1, sizeof(*model));
	struct be b;

	assert_non_null(model);
	if (profile)
		host_profile_load();
	machine_up_cfg(NULL);
	if (profile)
		host_profile_apply();
	memset(&b, 0, sizeof(b));
	b.model = true;
	b.name = "model";
	b.log = model;
	b.mmap_min_addr = MODEL_MMAP_MIN;
	b.pagemap_fd = -1;
	b.p = spawn();
	b.t = mmlab_main_task(b.p);
	fn(&b);
	assert_int_equal(mmlab_exit(b.p), 0);
	return model;
}

/*
 * A case that needs something of the host kernel (a name of `mm.require`):
 * where the host profile says this host lacks it, the case runs on the
 * model alone, as stock 6.18, its expectations checked, and counts as
 * skipped (the executable exits 77 when nothing failed).
 */
static inline bool diff_host_lacks_one(const char *name, const char *exe,
				       const char *req)
{
	char cmd[600], why[512] = "";
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' host --has %s", exe, req);
	f = popen(cmd, "re");
	if (!f)
		return false;
	if (!fgets(why, sizeof(why), f))
		why[0] = 0;
	st = pclose(f);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return false;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 1)
		fail_msg("%s: mmlab host --has %s failed", name, req);
	print_message("%s: host side skipped: %s", name, why);
	return true;
}

/* @reqs: names separated by commas; true when the host lacks one. */
static inline bool diff_host_lacks(const char *name, const char *reqs)
{
	const char *exe = getenv("MMLAB_EXE");
	char list[128], *tok, *save;

	if (!exe)
		return false;
	snprintf(list, sizeof(list), "%s", reqs);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (diff_host_lacks_one(name, exe, tok))
			return true;
	return false;
}

/* Run @fn on the host and on a fresh model machine; fail on any difference. */
static inline void diff_run(const char *name, diff_case_fn fn)
{
	struct obs_log *host = diff_run_host(fn);
	struct obs_log *model;
	int i, j, bad = 0, hfail, mfail;

	if (host->skip) {
		print_message("%s: skipped: %s\n", name, host->skip_why);
		diff_skipped++;
		munmap(host, sizeof(*host));
		skip();
	}
	/* MMLAB_TEST_HOST_ONLY=1: check the expectations on the host only. */
	if (env_u64("MMLAB_TEST_HOST_ONLY", 0)) {
		hfail = host->nfail;
		for (i = 0; i < host->n; i++)
			if (!host->e[i].ok || env_u64("MMLAB_TEST_HOST_ONLY", 0) > 1)
				diff_print(host->e[i].ok ? "host" : "HOST MISSED",
					   &host->e[i]);
		munmap(host, sizeof(*host));
		if (hfail)
			fail_msg("%s: %d host expectation(s) missed", name, hfail);
		return;
	}
	model = diff_run_model(fn, true);
	hfail = host->nfail;
	mfail = model->nfail;

	for (i = 0; i < host->n; i++)
		if (!host->e[i].ok) {
			print_message("%s: host kernel misses an expectation:\n", name);
			diff_print("host", &host->e[i]);
		}
	for (i = 0; i < model->n; i++)
		if (!model->e[i].ok) {
			print_message("%s: model misses an expectation:\n", name);
			diff_print("model", &model->e[i]);
		}
	for (i = 0, j = 0;; i++, j++) {
		while (i < host->n && host->e[i].nodiff)
			i++;
		while (j < model->n && model->e[j].nodiff)
			j++;
		if (i >= host->n || j >= model->n) {
			if (i < host->n || j < model->n) {
				print_message("%s: backends recorded different numbers of observations\n",
					      name);
				if (i < host->n)
					diff_print("host", &host->e[i]);
				if (j < model->n)
					diff_print("model", &model->e[j]);
				bad++;
			}
			break;
		}
		if (host->e[i].label != model->e[j].label ||
		    host->e[i].idx != model->e[j].idx ||
		    host->e[i].v != model->e[j].v) {
			if (bad < 8) {
				print_message("%s: model and host differ:\n", name);
				diff_print("host", &host->e[i]);
				diff_print("model", &model->e[j]);
			}
			bad++;
		}
	}
	if (host->overflow || model->overflow)
		bad++;
	munmap(host, sizeof(*host));
	free(model);
	machine_down();
	if (hfail || mfail || bad)
		fail_msg("%s: %d host expectation(s) missed, %d model expectation(s) missed, %d difference(s)",
			 name, hfail, mfail, bad);
}

static inline void diff_run_req(const char *name, diff_case_fn fn, const char *req)
{
	struct obs_log *model;
	int mfail;

	if (!diff_host_lacks(name, req)) {
		diff_run(name, fn);
		return;
	}
	model = diff_run_model(fn, false);
	mfail = model->nfail;
	for (int i = 0; i < model->n; i++)
		if (!model->e[i].ok) {
			print_message("%s: model misses an expectation:\n", name);
			diff_print("model", &model->e[i]);
		}
	free(model);
	machine_down();
	diff_skipped++;
	if (mfail)
		fail_msg("%s: %d model expectation(s) missed", name, mfail);
}

#define DIFF_TEST_REQUIRES(c, req)				\
	static void t_##c(void **state)				\
	{							\
		(void)state;					\
		diff_run_req(#c, c, req);			\
	}

#define DIFF_TEST(c)						\
	static void t_##c(void **state)				\
	{							\
		(void)state;					\
		diff_run(#c, c);				\
	}

#endif
