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
 *
 * This file holds the model helpers; the differential backends are in
 * harness_be.h and the runner in harness_diff.h, both included here.
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

#include "harness_be.h"
#include "harness_diff.h"

#endif
