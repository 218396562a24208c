/*
 * test_badinput.c - invalid arguments never crash and never corrupt state.
 *
 * Knobs: unknown path -ENOENT, bad value -EINVAL and the value unchanged;
 * vmstat: unknown name -ENOENT, every listed counter readable; machine
 * config: out-of-range values -EINVAL, a second machine -EBUSY, bad
 * MMLAB_SET entries fail creation with their errno, and a failed creation
 * leaves nothing behind.  System calls: a random barrage of garbage
 * arguments (huge, unaligned, wrapping, below mmap_min_addr, bad fds, prot,
 * flags and advice) around a mapping that must stay intact, after which the
 * address space must still be consistent (sorted, aligned VMAs that smaps,
 * status and pagemap agree on).  NULL pointers where the API takes
 * pointers are tried in a forked child so that a crash is reported as such.
 */
#include <limits.h>
#include <time.h>

#include "harness.h"

#define RW		(PROT_READ | PROT_WRITE)
#define SKIP_FLUSH	"/sys/kernel/mm/mmlab/debug/skip_flush"
#define SACRED		0x300000000000ULL	/* 48 TiB */
#define SACRED_LEN	(64 * PG)
#define FUZZ		DIFF_BASE

static void t_knobs(void **state)
{
	char buf[64], small[8];
	const char *name;
	unsigned int i;

	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/no_such_knob", "1"), -ENOENT);
	assert_int_equal(mmlab_knob_set("", "1"), -ENOENT);
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/debug", "1"), -ENOENT);
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/debug/skip_flushX", "1"),
			 -ENOENT);
	assert_int_equal(mmlab_knob_get("/sys/kernel/mm/no_such_knob", buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(mmlab_knob_set(SKIP_FLUSH, "banana"), -EINVAL);
	assert_int_equal(mmlab_knob_set(SKIP_FLUSH, ""), -EINVAL);
	assert_int_equal(mmlab_knob_set(SKIP_FLUSH, "1x"), -EINVAL);
	assert_int_equal(mmlab_knob_set(SKIP_FLUSH, "99999999999999999999999"), -EINVAL);
	assert_true(mmlab_knob_get(SKIP_FLUSH, buf, sizeof(buf)) >= 0);
	assert_int_equal(atoi(buf), 0);
	/* Every listed knob can be read, but for the write-only ones (mode
	 * 0200, as /proc/sys/vm/drop_caches, debugfs split_huge_pages and
	 * memory.reclaim: EACCES); a tiny buffer is not
	 * overrun. */
	for (i = 0; (name = mmlab_knob_name(i)); i++) {
		int ret;

		assert_true(i < 10000);
		memset(buf, 0, sizeof(buf));
		ret = mmlab_knob_get(name, buf, sizeof(buf));
		if (ret < 0 && !(ret == -EACCES && (!strcmp(name, "/proc/sys/vm/drop_caches") ||
						    !strcmp(name, "/sys/kernel/debug/split_huge_pages") ||
						    !strcmp(name, "/sys/fs/cgroup/memory.reclaim"))))
			fail_msg("knob %s listed but not readable (%d)", name, ret);
		memset(small, 0x5a, sizeof(small));
		(void)mmlab_knob_get(name, small, 2);
		for (int k = 2; k < (int)sizeof(small); k++)
			if (small[k] != 0x5a)
				fail_msg("knob_get %s wrote past len 2", name);
	}
	assert_true(i > 0);
}

static void t_vmstat(void **state)
{
	static const char *const must[] = {
		"nr_free_pages", "nr_anon_pages", "nr_shmem", "nr_page_table_pages",
		"pgfault", "pgalloc_normal", "pgfree", "nr_tlb_remote_flush",
		"nr_tlb_remote_flush_received", "nr_tlb_local_flush_all",
		"nr_tlb_local_flush_one", "stale_tlb_reports", "mmlab_tlb_hits",
		"mmlab_tlb_misses", "mmlab_page_walks",
	};
	const char *name;
	uint64_t v = 0x1234;
	unsigned int i, n = 0;

	assert_int_equal(mmlab_vmstat_get("no_such_counter", &v), -ENOENT);
	assert_int_equal(mmlab_vmstat_get("", &v), -ENOENT);
	assert_int_equal(mmlab_vmstat_get("nr_free_pages ", &v), -ENOENT);
	for (i = 0; i < ARRAY_SIZE(must); i++)
		vmstat(must[i]);
	for (i = 0; (name = mmlab_vmstat_name(i)); i++, n++) {
		assert_true(i < 100000);
		if (mmlab_vmstat_get(name, &v))
			fail_msg("vmstat %s listed but not readable", name);
	}
	assert_true(n >= ARRAY_SIZE(must));
	/* The counters move as documented. */
	{
		struct mmlab_proc *p = spawn();
		uint64_t f0 = vmstat("pgfault"), a0 = vmstat("pgalloc_normal");
		uint64_t a = map_anon(p, 0, 4 * PG, RW, 0);

		assert_int_equal(mmlab_touch(mmlab_main_task(p), a, 4 * PG, true, NULL), 0);
		assert_true(vmstat("pgfault") - f0 >= 4);
		assert_true(vmstat("pgalloc_normal") - a0 >= 4);
		assert_int_equal(mmlab_exit(p), 0);
	}
}

static void expect_create(const struct mmlab_config *cfg, int want, const char *what)
{
	int ret = mmlab_machine_create(cfg);

	if (ret == 0)
		mmlab_machine_destroy();
	if (ret != want)
		fail_msg("%s: mmlab_machine_create = %d, want %d", what, ret, want);
}

static void t_config(void **state)
{
	struct mmlab_config c;
	int ret;

	setenv("MMLAB_STALE_CHECK", "1", 1);
	unsetenv("MMLAB_SET");
	machine_config(&c);
	c.nr_cpus = MMLAB_MAX_CPUS + 1;
	expect_create(&c, -EINVAL, "65 CPUs");
	machine_config(&c);
	c.nr_cpus = 0;
	expect_create(&c, -EINVAL, "0 CPUs");
	machine_config(&c);
	c.nr_nodes = 0;
	expect_create(&c, -EINVAL, "0 nodes");
	machine_config(&c);
	c.nr_nodes = MMLAB_MAX_NODES + 1;
	expect_create(&c, -EINVAL, "9 nodes");
	machine_config(&c);
	c.l1_4k.ways = 5;
	expect_create(&c, -EINVAL, "64 entries, 5 ways");
	machine_config(&c);
	c.l2.ways = 0;
	expect_create(&c, -EINVAL, "0 ways");
	machine_config(&c);
	c.node_bytes[0] = 0;
	expect_create(&c, -EINVAL, "empty node 0");
	machine_config(&c);
	c.node_bytes[0] = 1ULL << 60;
	ret = mmlab_machine_create(&c);
	if (ret == 0)
		mmlab_machine_destroy();
	assert_true(ret == 0 || ret == -ENOMEM || ret == -EINVAL);

	/* MMLAB_SET: a bad entry fails creation with its errno. */
	setenv("MMLAB_SET", "/sys/kernel/mm/no_such_knob=1", 1);
	expect_create(NULL, -ENOENT, "MMLAB_SET unknown knob");
	setenv("MMLAB_SET", SKIP_FLUSH "=banana", 1);
	expect_create(NULL, -EINVAL, "MMLAB_SET bad value");
	setenv("MMLAB_SET", "garbage-without-equals", 1);
	ret = mmlab_machine_create(NULL);
	if (ret == 0)
		mmlab_machine_destroy();
	assert_true(ret < 0);
	setenv("MMLAB_SET", SKIP_FLUSH "=1", 1);
	assert_int_equal(mmlab_machine_create(NULL), 0);
	{
		char buf[16] = "";

		assert_true(mmlab_knob_get(SKIP_FLUSH, buf, sizeof(buf)) >= 0);
		assert_int_equal(atoi(buf), 1);
	}
	/* One machine at a time. */
	assert_int_equal(mmlab_machine_create(NULL), -EBUSY);
	mmlab_machine_destroy();
	unsetenv("MMLAB_SET");
	/* Nothing left behind by the failures: a normal machine works. */
	machine_up_cfg(NULL);
	{
		struct mmlab_proc *p = spawn();
		uint64_t a = map_anon(p, 0, PG, RW, 0);

		put64(mmlab_main_task(p), a, 1);
		assert_int_equal(mmlab_exit(p), 0);
	}
	machine_down();
}

/* ---- the system-call barrage ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd() % n];
}

static uint64_t fuzz_addr(void)
{
	static const uint64_t v[] = {
		0, 1, 0x1000, 0xffff, 0x10000, 0x10001, FUZZ, FUZZ + PG, FUZZ + 1,
		FUZZ + 2048, FUZZ + 16 * PG, FUZZ + MiB, FUZZ + 2 * MiB - PG,
		TASK_SIZE_47 - PG, TASK_SIZE_47, TASK_SIZE_47 + PG, 1ULL << 47,
		1ULL << 63, UINT64_MAX, UINT64_MAX - PG + 1, 0xffff800000000000ULL,
		SACRED - PG, SACRED + SACRED_LEN,
	};

	if (rnd() % 3 == 0)
		return FUZZ + (rnd() % 4096) * PG + (rnd() % 8 == 0 ? rnd() % PG : 0);
	return pick(v, ARRAY_SIZE(v));
}

static uint64_t fuzz_len(void)
{
	static const uint64_t v[] = {
		0, 1, PG - 1, PG, PG + 1, 16 * PG, 2 * MiB, 16 * MiB, GiB, 1ULL << 46,
		1ULL << 47, TASK_SIZE_47, 1ULL << 63, UINT64_MAX, UINT64_MAX - PG + 1,
	};

	if (rnd() % 3 == 0)
		return (1 + rnd() % 512) * PG;
	return pick(v, ARRAY_SIZE(v));
}

static int fuzz_prot(void)
{
	static const uint64_t v[] = {
		PROT_NONE, PROT_READ, PROT_WRITE, RW, RW | PROT_EXEC, 0x8, 0x10,
		0x100, PROT_GROWSDOWN, PROT_GROWSUP, PROT_READ | PROT_GROWSDOWN,
		(uint64_t)-1, (uint64_t)INT_MIN, 0x7fffffff,
	};

	return (int)pick(v, ARRAY_SIZE(v));
}

static int fuzz_flags(void)
{
	static const uint64_t v[] = {
		MAP_PRIVATE | MAP_ANONYMOUS, MAP_SHARED | MAP_ANONYMOUS,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, MAP_PRIVATE, MAP_SHARED,
		MAP_SHARED | MAP_FIXED, MAP_ANONYMOUS, MAP_SHARED_VALIDATE,
		MAP_SHARED_VALIDATE | MAP_ANONYMOUS, 0, (uint64_t)-1,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
		MAP_PRIVATE | MAP_ANONYMOUS | 0x200000,
	};

	if (rnd() % 8 == 0)
		return (int)rnd();
	return (int)pick(v, ARRAY_SIZE(v));
}

static int fuzz_advice(void)
{
	static const uint64_t v[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_HUGEPAGE,
		MADV_NOHUGEPAGE, 5, 6, 7, 100, 101, 999, 12345,
		(uint64_t)-1, (uint64_t)INT_MIN, 0x7fffffff,
	};

	return (int)pick(v, ARRAY_SIZE(v));
}

/*
 * The length a touch, fill or verify gets.  A range that wraps keeps its
 * length, so the calls' checks see it; any other is cut to 64 MiB.  The
 * calls go page by page, as a program's loop would, and a MAP_NORESERVE
 * mapping of 64 TiB can succeed: reading it through faults in zero-page
 * PTEs for half a terabyte before its page tables fill the machine (about
 * 20 s on a 1 GiB machine; a real one takes longer).
 */
static uint64_t access_len(uint64_t a, uint64_t len)
{
	if (a + len < a)
		return len;
	return len < 64 * MiB ? len : 64 * MiB;
}

/* Does [a, a + len) (saturating) overlap the sacred range? */
static bool hits_sacred(uint64_t a, uint64_t len)
{
	uint64_t end = a + len < a ? UINT64_MAX : a + len;

	/* Rounded up to pages, as the calls do: a length that rounds past
	 * the top covers everything above @a (madvise(0, ~0xfff) does). */
	if (end != UINT64_MAX)
		end = end + PG < end ? UINT64_MAX : end + PG;
	return a < SACRED + SACRED_LEN && end > SACRED;
}

/* The address space is well formed and its views agree. */
static void check_consistent(struct mmlab_proc *p)
{
	struct mmlab_status st = status_of(p);
	uint64_t prev_end = 0, total = 0;
	int i, n = mmlab_vma_count(p);

	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		struct mmlab_smaps sm;
		uint64_t s, e, pm;
		int prot, flags;

		assert_int_equal(mmlab_vma_get(p, i, &s, &e, &prot, &flags), 0);
		if (s % PG || e % PG || s >= e || s < prev_end || e > TASK_SIZE_47 ||
		    s < MODEL_MMAP_MIN)
			fail_msg("bad vma %d: [%#" PRIx64 ", %#" PRIx64 ") after %#" PRIx64,
				 i, s, e, prev_end);
		prev_end = e;
		total += e - s;
		assert_int_equal(mmlab_smaps(p, s, &sm), 0);
		assert_int_equal(sm.start, s);
		assert_int_equal(sm.end, e);
		assert_int_equal(sm.Size, (e - s) / 1024);
		assert_int_equal(mmlab_smaps(p, e - 1, &sm), 0);
		assert_int_equal(sm.start, s);
		assert_int_equal(mmlab_pagemap(p, s, 1, &pm), 0);
	}
	assert_int_equal(st.VmSize, total / 1024);
}

/* The last calls made, printed when the sacred range is found damaged. */
static struct { int op; uint64_t a, len; int arg1, arg2, ret; } hist[32];
static unsigned long nhist;

static void print_hist(void)
{
	unsigned long k;

	for (k = nhist > 32 ? nhist - 32 : 0; k < nhist; k++)
		print_message("  call %lu: op %d addr %#" PRIx64 " len %#" PRIx64
			      " args %#x %#x -> %d\n", k, hist[k % 32].op, hist[k % 32].a,
			      hist[k % 32].len, hist[k % 32].arg1, hist[k % 32].arg2,
			      hist[k % 32].ret);
}

static void sacred_ok(struct mmlab_task *t, unsigned long i)
{
	uint64_t mis = 0;
	int ret = mmlab_verify(t, SACRED, SACRED_LEN, 42, &mis, NULL);

	if (ret || mis != UINT64_MAX) {
		print_message("sacred range damaged (as CPU %u sees it) by call %lu or before (ret %d, at %#" PRIx64
			      "); last calls (ops: 0-1 mmap, 2 munmap, 3 mprotect, 4-5 madvise,"
			      " 6 read, 7 write, 8 touch, 9 fill/verify, 10 pagemap, 11 fork/smaps):\n",
			      mmlab_task_cpu(t), i, ret, mis);
		print_hist();
		fail_msg("sacred range damaged");
	}
}

static void t_syscall_barrage(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p), *u = task_on(p, 2);
	uint64_t seed = env_u64("MMLAB_FUZZ_SEED", (uint64_t)time(NULL));
	int fd = mmlab_memfd(p, "fuzz", 64 * PG);
	unsigned long i, n = env_u64("MMLAB_FUZZ_ITERS", 20000), ok = 0;
	unsigned long every = env_u64("MMLAB_FUZZ_CHECK_EVERY", 1000);
	static uint8_t buf[64 * 1024];

	print_message("MMLAB_FUZZ_SEED=%" PRIu64 "\n", seed);
	rng_state = mmlab_splitmix64(seed) | 1;
	assert_true(fd >= 0);
	map_anon(p, SACRED, SACRED_LEN, RW, 0);
	fill_ok(t, SACRED, SACRED_LEN, 42);

	for (i = 0; i < n; i++) {
		struct mmlab_task *who = rnd() % 4 ? t : u;
		uint64_t a = fuzz_addr(), len = fuzz_len(), out = 0, fa;
		int ret = 0, op = (int)(rnd() % 12), arg1 = 0, arg2 = 0;

		if (hits_sacred(a, len))
			continue;
		switch (op) {
		case 0:
		case 1: {
			int flags = fuzz_flags();
			int f = rnd() % 2 ? -1 : (rnd() % 2 ? fd : (int)pick(
				(const uint64_t[]){ 0, 1, 999, (uint64_t)INT_MAX,
						    (uint64_t)INT_MIN }, 5));
			uint64_t off = pick((const uint64_t[]){ 0, 1, PG, 32 * PG,
							       1ULL << 63, UINT64_MAX }, 6);

			/* Successful huge mappings would be touched later, and a populated
			 * one of 64 TiB reads zero pages until its page tables fill memory. */
			if (len > 16 * MiB && (len < (1ULL << 46) || (flags & MAP_POPULATE)))
				len = 16 * MiB;
			arg1 = fuzz_prot();
			arg2 = flags;
			ret = mmlab_mmap(who, a, len, arg1, flags, f, off, &out);
			if (ret == 0 && hits_sacred(out, len))
				fail_msg("mmap(%#" PRIx64 ", %#" PRIx64 ", flags %#x) landed on the sacred range",
					 a, len, flags);
			break;
		}
		case 2:
			ret = mmlab_munmap(who, a, len);
			break;
		case 3:
			arg1 = fuzz_prot();
			ret = mmlab_mprotect(who, a, len, arg1);
			break;
		case 4:
		case 5:
			arg1 = fuzz_advice();
			ret = mmlab_madvise(who, a, len, arg1);
			break;
		case 6:
			ret = mmlab_read(who, a, buf, len < sizeof(buf) ? len : sizeof(buf), &fa);
			break;
		case 7:
			ret = mmlab_write(who, a, buf, len < sizeof(buf) ? len : sizeof(buf), &fa);
			break;
		case 8:
			ret = mmlab_touch(who, a, access_len(a, len), rnd() % 2, &fa);
			break;
		case 9:
			if (rnd() % 2)
				ret = mmlab_fill(who, a, access_len(a, len), 7, &fa);
			else
				ret = mmlab_verify(who, a, access_len(a, len), 7, &out, &fa);
			break;
		case 10: {
			uint64_t pm[8];

			ret = mmlab_pagemap(p, a, rnd() % 9, pm);
			break;
		}
		case 11:
			if (rnd() % 50 == 0) {
				ret = mmlab_fork(p, &c);
				if (ret == 0) {
					sacred_ok(mmlab_main_task(c), i);
					assert_int_equal(mmlab_exit(c), 0);
				}
			} else {
				struct mmlab_smaps sm;

				ret = mmlab_smaps(p, a, &sm);
			}
			break;
		}
		if (ret > 0 && ret != MMLAB_SIGSEGV && ret != MMLAB_SIGBUS)
			fail_msg("op %d: positive return %d that is not a signal", op, ret);
		if (ret < -4095)
			fail_msg("op %d: return %d is not an errno", op, ret);
		ok += ret == 0;
		hist[nhist % 32].op = op;
		hist[nhist % 32].a = a;
		hist[nhist % 32].len = len;
		hist[nhist % 32].arg1 = arg1;
		hist[nhist % 32].arg2 = arg2;
		hist[nhist % 32].ret = ret;
		nhist++;
		if (i % every == 0)
			sacred_ok(t, i);
		if (i % 1000 == 0)
			check_consistent(p);
	}
	print_message("%lu calls, %lu succeeded\n", n, ok);
	sacred_ok(t, n);
	verify_ok(u, SACRED, SACRED_LEN, 42);
	check_consistent(p);
	assert_int_equal(mmlab_exit(p), 0);
}

/* ---- NULL pointers, in a child so that a crash is reported ---- */

struct null_case {
	const char *what;
	int (*fn)(void);
	bool optional;	/* an optional output pointer: must only not crash */
};

static struct mmlab_proc *np;
static uint64_t na;

static int n_spawn(void) { return mmlab_spawn(NULL); }
static int n_fork(void) { return mmlab_fork(np, NULL); }
static int n_status(void) { return mmlab_status(np, NULL); }
static int n_smaps(void) { return mmlab_smaps(np, na, NULL); }
static int n_pagemap(void) { return mmlab_pagemap(np, na, 1, NULL); }
static int n_vmstat(void) { return mmlab_vmstat_get("pgfault", NULL); }
static int n_vmstat_name(void) { uint64_t v; return mmlab_vmstat_get(NULL, &v); }
static int n_knob_set_path(void) { return mmlab_knob_set(NULL, "1"); }
static int n_knob_set_val(void) { return mmlab_knob_set(SKIP_FLUSH, NULL); }
static int n_knob_get_path(void) { char b[8]; return mmlab_knob_get(NULL, b, 8); }
static int n_knob_get_buf(void) { return mmlab_knob_get(SKIP_FLUSH, NULL, 8); }
static int n_memfd_name(void) { return mmlab_memfd(np, NULL, PG); }
static int n_read_buf(void) { return mmlab_read(mmlab_main_task(np), na, NULL, 8, NULL); }
static int n_write_buf(void) { return mmlab_write(mmlab_main_task(np), na, NULL, 8, NULL); }
static int n_thread_out(void) { return mmlab_thread(np, 1, NULL); }
static int n_verify_out(void)
{
	return mmlab_verify(mmlab_main_task(np), na, PG, 1, NULL, NULL);
}

static void t_null_pointers(void **state)
{
	static const struct null_case cases[] = {
		{ "mmlab_spawn(NULL)", n_spawn },
		{ "mmlab_fork(p, NULL)", n_fork },
		{ "mmlab_status(p, NULL)", n_status },
		{ "mmlab_smaps(p, a, NULL)", n_smaps },
		{ "mmlab_pagemap(p, a, 1, NULL)", n_pagemap },
		{ "mmlab_vmstat_get(name, NULL)", n_vmstat },
		{ "mmlab_vmstat_get(NULL, v)", n_vmstat_name },
		{ "mmlab_knob_set(NULL, v)", n_knob_set_path },
		{ "mmlab_knob_set(path, NULL)", n_knob_set_val },
		{ "mmlab_knob_get(NULL, buf, 8)", n_knob_get_path },
		{ "mmlab_knob_get(path, NULL, 8)", n_knob_get_buf },
		{ "mmlab_memfd(p, NULL, size)", n_memfd_name },
		{ "mmlab_read(t, a, NULL, 8)", n_read_buf },
		{ "mmlab_write(t, a, NULL, 8)", n_write_buf },
		{ "mmlab_thread(p, 1, NULL)", n_thread_out },
		{ "mmlab_verify(t, a, len, seed, NULL, NULL)", n_verify_out, true },
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int *res = mmap(NULL, PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		pid_t pid;
		int st = 0;

		assert_true(res != MAP_FAILED);
		*res = 12345;
		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct mmlab_config c;

			/* cmocka's handlers would carry on with its next test. */
			signal(SIGSEGV, SIG_DFL);
			signal(SIGBUS, SIG_DFL);
			signal(SIGABRT, SIG_DFL);
			signal(SIGILL, SIG_DFL);
			signal(SIGFPE, SIG_DFL);

			machine_config(&c);
			c.node_bytes[0] = 64 * MiB;
			setenv("MMLAB_STALE_CHECK", "1", 1);
			if (mmlab_machine_create(&c) || mmlab_spawn(&np))
				_exit(3);
			if (mmlab_mmap(mmlab_main_task(np), 0, PG, RW,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &na))
				_exit(4);
			*res = cases[i].fn();
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &st, 0), pid);
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			print_message("%s: crashed or failed (status %#x)\n", cases[i].what, st);
			bad++;
		} else if (*res >= 0 && !cases[i].optional) {
			print_message("%s: returned %d, want a negative errno\n", cases[i].what,
				      *res);
			bad++;
		}
		munmap(res, PG);
	}
	if (bad)
		fail_msg("%d NULL-pointer case(s) not refused cleanly", bad);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_machine, teardown_machine)
	const struct CMUnitTest tests[] = {
		T(t_knobs),
		T(t_vmstat),
		cmocka_unit_test(t_config),
		T(t_syscall_barrage),
		cmocka_unit_test(t_null_pointers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
