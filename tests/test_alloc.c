/*
 * test_alloc.c - running out of memory is a clean error, never a crash.
 *
 * On a 64 MiB machine without swap: touching more anonymous memory than
 * exists stops with an error at a page boundary (-ENOMEM, or SIGBUS), the
 * pages written before it keep their data, and everything works again once
 * memory is freed: the same amount can be allocated a second time (nothing
 * leaked).  Also: shmem (memfd) exhaustion, CoW and fork when memory is
 * full, and MAP_POPULATE beyond memory (mmap still succeeds, as the kernel
 * ignores population failures).
 */
#include "harness.h"

#define RW	(PROT_READ | PROT_WRITE)
#define MEM	(64 * MiB)
#define BIG	(128 * MiB)

static int setup_small(void **state)
{
	struct mmlab_config c;

	machine_config(&c);
	c.node_bytes[0] = MEM;
	machine_up_cfg(&c);
	return 0;
}

static bool oom_ret(int ret)
{
	return ret == -ENOMEM || ret == MMLAB_SIGBUS;
}

/* Touch [a, a + len) for write until it fails: the pages touched. */
static uint64_t fill_until_oom(struct mmlab_task *t, uint64_t a, uint64_t len)
{
	uint64_t fa = 0;
	int ret = mmlab_touch(t, a, len, true, &fa);

	if (!oom_ret(ret))
		fail_msg("touching %" PRIu64 " MiB on a %" PRIu64 " MiB machine: %d, want -ENOMEM or SIGBUS",
			 len >> 20, (uint64_t)(MEM >> 20), ret);
	if (fa < a || fa >= a + len || fa % PG)
		fail_msg("fault address %#" PRIx64 " not a page of [%#" PRIx64 ", +%#" PRIx64 ")",
			 fa, a, len);
	return (fa - a) / PG;
}

static void touched_intact(struct mmlab_task *t, uint64_t a, uint64_t n)
{
	uint64_t i, step = n / 64 ? n / 64 : 1;

	for (i = 0; i < n; i += step) {
		uint64_t x = a + i * PG;

		assert_int_equal(get64(t, x), ((x >> 12) & 0xff) | 1);
	}
	assert_int_equal(get64(t, a + (n - 1) * PG), (((a + (n - 1) * PG) >> 12) & 0xff) | 1);
}

static void t_anon_exhaustion(void **state)
{
	uint64_t free0 = vmstat("nr_free_pages");
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, BIG, RW, MAP_NORESERVE), n1, n2;
	uint64_t b, fa = 0;

	n1 = fill_until_oom(t, a, BIG);
	print_message("%" PRIu64 " pages of %" PRIu64 " before ENOMEM (free at start %" PRIu64 ")\n",
		      n1, (uint64_t)(MEM / PG), free0);
	/* Most of the machine was usable. */
	assert_true(n1 >= MEM / PG * 3 / 4);
	assert_true(n1 < MEM / PG);
	touched_intact(t, a, n1);
	/* Still failing cleanly, on any CPU, and other calls still work. */
	assert_true(oom_ret(mmlab_touch(task_on(p, 1), a + n1 * PG, PG, true, &fa)));
	b = map_anon(p, 0, 16 * PG, RW, 0);
	assert_int_equal(mmlab_munmap(t, b, 16 * PG), 0);
	/* Give half back: that much can be touched again. */
	assert_int_equal(mmlab_madvise(t, a, n1 / 2 * PG, MADV_DONTNEED), 0);
	assert_int_equal(mmlab_touch(t, a + n1 * PG, n1 / 4 * PG, true, &fa), 0);
	touched_intact(t, a + n1 / 2 * PG, n1 / 2);
	assert_int_equal(mmlab_exit(p), 0);
	/* Page tables go back after a grace period, as in the kernel; wait for it. */
	mmlab_quiesce();

	/* Everything back: the same amount fits again. */
	p = spawn();
	t = mmlab_main_task(p);
	a = map_anon(p, 0, BIG, RW, MAP_NORESERVE);
	n2 = fill_until_oom(t, a, BIG);
	if (n2 + 16 < n1)
		fail_msg("second run got %" PRIu64 " pages, first %" PRIu64 ": memory leaked",
			 n2, n1);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_shmem_exhaustion(void **state)
{
	uint64_t shmem0 = vmstat("nr_shmem");
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	int fd = mmlab_memfd(p, "big", BIG);
	uint64_t a = 0, fa = 0, n;
	int ret;

	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(t, 0, BIG, RW, MAP_SHARED, fd, 0, &a), 0);
	ret = mmlab_touch(t, a, BIG, true, &fa);
	assert_true(oom_ret(ret));
	n = (fa - a) / PG;
	assert_true(n >= MEM / PG * 3 / 4);
	touched_intact(t, a, n);
	assert_true(vmstat("nr_shmem") - shmem0 >= n);
	/* Punching a hole frees memory for another process. */
	assert_int_equal(mmlab_madvise(t, a, 64 * PG, MADV_REMOVE), 0);
	{
		struct mmlab_proc *q = spawn();
		uint64_t b = map_anon(q, 0, 32 * PG, RW, 0);

		assert_int_equal(mmlab_touch(mmlab_main_task(q), b, 32 * PG, true, NULL), 0);
		assert_int_equal(mmlab_exit(q), 0);
	}
	assert_int_equal(mmlab_close(p, fd), 0);
	assert_int_equal(mmlab_exit(p), 0);
	assert_int_equal(vmstat("nr_shmem"), shmem0);
}

/* With memory full: fork fails or succeeds cleanly; CoW fails cleanly. */
static void t_fork_and_cow_when_full(void **state)
{
	struct mmlab_proc *p = spawn(), *c = NULL;
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, BIG, RW, MAP_NORESERVE), n, fa = 0;
	int ret;

	fill_ok(t, a, 8 * MiB, 5);
	n = fill_until_oom(t, a + 8 * MiB, BIG - 8 * MiB);
	/* Leave room for page tables only. */
	assert_int_equal(mmlab_madvise(t, a + 8 * MiB, 64 * PG, MADV_DONTNEED), 0);
	ret = mmlab_fork(p, &c);
	assert_true(ret == 0 || ret == -ENOMEM);
	if (ret == 0) {
		struct mmlab_task *ct = mmlab_main_task(c);

		verify_ok(ct, a, 8 * MiB, 5);
		/* The child's copies cannot all be made. */
		ret = mmlab_fill(ct, a, 8 * MiB, 6, &fa);
		assert_true(oom_ret(ret));
		assert_true(fa >= a && fa < a + 8 * MiB);
		assert_int_equal(mmlab_exit(c), 0);
	}
	/* The parent's data is untouched either way. */
	verify_ok(t, a, 8 * MiB, 5);
	touched_intact(t, a + 8 * MiB + 64 * PG, n - 64);
	/* A fork after freeing memory works. */
	assert_int_equal(mmlab_madvise(t, a + 8 * MiB, n * PG, MADV_DONTNEED), 0);
	assert_int_equal(mmlab_fork(p, &c), 0);
	verify_ok(mmlab_main_task(c), a, 8 * MiB, 5);
	fill_ok(mmlab_main_task(c), a, 8 * MiB, 6);
	assert_int_equal(mmlab_exit(c), 0);
	verify_ok(t, a, 8 * MiB, 5);
	assert_int_equal(mmlab_exit(p), 0);
}

/* The kernel ignores MAP_POPULATE failures: mmap succeeds. */
static void t_populate_beyond_memory(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = 0, e = 0;
	int ret;

	ret = mmlab_mmap(t, 0, BIG, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			 MAP_POPULATE, -1, 0, &a);
	assert_int_equal(ret, 0);
	assert_int_equal(mmlab_pagemap(p, a, 1, &e), 0);
	assert_true(e & MMLAB_PM_PRESENT);
	assert_int_equal(mmlab_munmap(t, a, BIG), 0);
	/* All of it came back. */
	a = map_anon(p, 0, 32 * MiB, RW, 0);
	assert_int_equal(mmlab_touch(t, a, 32 * MiB, true, NULL), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_small, teardown_machine)
	const struct CMUnitTest tests[] = {
		T(t_anon_exhaustion),
		T(t_shmem_exhaustion),
		T(t_fork_and_cow_when_full),
		T(t_populate_beyond_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
