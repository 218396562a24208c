/*
 * test_swap_errors.c - swap I/O errors never lose or corrupt data silently.
 *
 * Knobs: /sys/kernel/mm/mmlab/debug/swap_fail_write = N and swap_fail_read =
 * N make the next N swap writes / reads fail with -EIO.
 *
 * Kernel behaviour: a failed write leaves the folio dirty in memory (in the
 * swap cache), so its data is never lost and a later reclaim may try again.
 * A failed read turns the PTE into a poisoned marker (swapin_error): the
 * access raises SIGBUS, and so does every later access to that page until
 * it is zapped; other pages, and other processes sharing the slot, are not
 * affected.
 */
#include "harness.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define RW		(PROT_READ | PROT_WRITE)
#define FAIL_WRITE	"/sys/kernel/mm/mmlab/debug/swap_fail_write"
#define FAIL_READ	"/sys/kernel/mm/mmlab/debug/swap_fail_read"

static int setup(void **state)
{
	struct mmlab_config cfg;

	(void)state;
	mmlab_config_default(&cfg);
	cfg.node_bytes[0] = 16 * MiB;
	machine_up_cfg(&cfg);
	assert_int_equal(mmlab_swapon(128 * MiB), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	machine_down();
	return 0;
}

static unsigned int knob_val(const char *path)
{
	char buf[32] = "";

	assert_int_equal(mmlab_knob_get(path, buf, sizeof(buf)), 0);
	return (unsigned int)strtoul(buf, NULL, 0);
}

static uint64_t map_rw(struct mmlab_proc *p, uint64_t len)
{
	uint64_t a = map_anon(p, 0, len, RW, 0);

	assert_int_equal(mmlab_madvise(mmlab_main_task(p), a, len, MADV_NOHUGEPAGE), 0);
	return a;
}

/* Push every clean swap-cache folio out: a hog bigger than the machine. */
static void squeeze(void)
{
	struct mmlab_proc *h = spawn();
	uint64_t len = 24 * MiB, a = map_rw(h, len);

	fill_ok(mmlab_main_task(h), a, len, 0x4040);
	assert_int_equal(mmlab_exit(h), 0);
}

static int access1(struct mmlab_task *t, uint64_t addr, bool write, uint64_t *fa)
{
	uint64_t v = 0x1234;

	*fa = 0;
	return write ? mmlab_write(t, addr, &v, sizeof(v), fa)
		     : mmlab_read(t, addr, &v, sizeof(v), fa);
}

/* A failed write keeps the page, dirty, with its data. */
static void t_write_error_keeps_page(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 64;
	uint64_t a = map_rw(p, n * PG), out0, err0;

	(void)state;
	fill_ok(t, a, n * PG, 0xe1);
	out0 = vmstat("pswpout");
	err0 = vmstat("mmlab_swap_write_errors");
	knob_u(FAIL_WRITE, 8);
	assert_int_equal(mmlab_madvise(t, a, n * PG, MADV_PAGEOUT), 0);
	assert_int_equal(knob_val(FAIL_WRITE), 0);
	assert_int_equal(vmstat("mmlab_swap_write_errors") - err0, 8);
	assert_int_equal(vmstat("pswpout") - out0, n - 8);
	/* the data is all there, now and after the swap cache is pushed out
	 * (the 8 dirty folios must be written again, not dropped) */
	verify_ok(t, a, n * PG, 0xe1);
	assert_int_equal(mmlab_madvise(t, a, n * PG, MADV_PAGEOUT), 0);
	squeeze();
	verify_ok(t, a, n * PG, 0xe1);
	assert_int_equal(mmlab_exit(p), 0);
}

/* Failed writes under memory pressure (not MADV_PAGEOUT): still nothing lost. */
static void t_write_errors_under_pressure(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t len = 32 * MiB;
	uint64_t a = map_rw(p, len), err0;

	(void)state;
	err0 = vmstat("mmlab_swap_write_errors");
	knob_u(FAIL_WRITE, 500);
	fill_ok(t, a, len, 0xe2);
	verify_ok(t, a, len, 0xe2);
	print_message("write errors injected: %" PRIu64 " (knob left %u)\n",
		      vmstat("mmlab_swap_write_errors") - err0, knob_val(FAIL_WRITE));
	assert_true(vmstat("mmlab_swap_write_errors") - err0 > 0);
	knob_u(FAIL_WRITE, 0);
	verify_ok(t, a, len, 0xe2);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A zero-filled page is never written: a write error cannot touch it. */
static void t_write_error_zero_page(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_rw(p, 4 * PG), zero0;

	(void)state;
	put64(t, a, 1);
	put64(t, a, 0);
	zero0 = vmstat("swpout_zero");
	knob_u(FAIL_WRITE, 1);
	assert_int_equal(mmlab_madvise(t, a, PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat("swpout_zero") - zero0, 1);
	assert_int_equal(knob_val(FAIL_WRITE), 1);	/* not consumed */
	knob_u(FAIL_WRITE, 0);
	zero_ok(t, a, PG);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A failed read: SIGBUS, again and again; the other pages read fine. */
static void t_read_error_sigbus(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 16;
	uint64_t a = map_rw(p, n * PG), fa, e, err0, in0;
	int i;

	(void)state;
	fill_ok(t, a, n * PG, 0xe3);
	assert_int_equal(mmlab_madvise(t, a, n * PG, MADV_PAGEOUT), 0);
	squeeze();
	assert_int_equal(pm1(p, a + 3 * PG) & MMLAB_PM_PRESENT, 0);
	err0 = vmstat("mmlab_swap_read_errors");
	in0 = vmstat("pswpin");
	knob_u(FAIL_READ, 1);
	assert_int_equal(access1(t, a + 3 * PG + 16, false, &fa), MMLAB_SIGBUS);
	assert_int_equal(fa, a + 3 * PG + 16);
	assert_int_equal(knob_val(FAIL_READ), 0);
	assert_int_equal(vmstat("mmlab_swap_read_errors") - err0, 1);
	/* and it keeps doing so: no retry reads the slot into the page */
	for (i = 0; i < 3; i++) {
		assert_int_equal(access1(t, a + 3 * PG, false, &fa), MMLAB_SIGBUS);
		assert_int_equal(access1(t, a + 3 * PG + 8, true, &fa), MMLAB_SIGBUS);
	}
	/* a poisoned marker: not present, a swap-format entry */
	e = pm1(p, a + 3 * PG);
	assert_int_equal(e & MMLAB_PM_PRESENT, 0);
	print_message("poisoned page pagemap %#" PRIx64 "\n", e);
	/* every other page has its data */
	verify_ok(t, a, 3 * PG, 0xe3);
	verify_ok(t, a + 4 * PG, (n - 4) * PG, 0xe3);
	assert_true(vmstat("pswpin") - in0 >= n - 1);
	assert_int_equal(vmstat("mmlab_swap_read_errors") - err0, 1);
	/* MADV_DONTNEED zaps the marker: a fresh zero page */
	assert_int_equal(mmlab_madvise(t, a + 3 * PG, PG, MADV_DONTNEED), 0);
	zero_ok(t, a + 3 * PG, PG);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A failed read in one process of a fork pair: the other still reads the
 * slot; the failing one keeps its SIGBUS. */
static void t_read_error_fork(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p), *ct;
	const uint64_t n = 8;
	uint64_t a = map_rw(p, n * PG), fa;

	(void)state;
	fill_ok(t, a, n * PG, 0xe4);
	assert_int_equal(mmlab_madvise(t, a, n * PG, MADV_PAGEOUT), 0);
	assert_int_equal(mmlab_fork(p, &c), 0);
	ct = mmlab_main_task(c);
	squeeze();
	knob_u(FAIL_READ, 1);
	assert_int_equal(access1(ct, a, false, &fa), MMLAB_SIGBUS);
	assert_int_equal(access1(ct, a, false, &fa), MMLAB_SIGBUS);
	verify_ok(t, a, n * PG, 0xe4);
	verify_ok(ct, a + PG, (n - 1) * PG, 0xe4);
	assert_int_equal(access1(ct, a, false, &fa), MMLAB_SIGBUS);
	assert_int_equal(mmlab_exit(c), 0);
	verify_ok(t, a, n * PG, 0xe4);
	assert_int_equal(mmlab_exit(p), 0);
}

/* shmem: a failed read is SIGBUS as well, and stays so. */
static void t_read_error_shmem(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	const uint64_t n = 8;
	int fd = mmlab_memfd(p, "err", n * PG);
	uint64_t a = 0, fa;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(t, 0, n * PG, RW, MAP_SHARED, fd, 0, &a), 0);
	fill_ok(t, a, n * PG, 0xe5);
	assert_int_equal(mmlab_madvise(t, a, n * PG, MADV_PAGEOUT), 0);
	squeeze();
	knob_u(FAIL_READ, 1);
	assert_int_equal(access1(t, a + PG, false, &fa), MMLAB_SIGBUS);
	assert_int_equal(knob_val(FAIL_READ), 0);
	assert_int_equal(access1(t, a + PG, false, &fa), MMLAB_SIGBUS);
	verify_ok(t, a, PG, 0xe5);
	verify_ok(t, a + 2 * PG, (n - 2) * PG, 0xe5);
	assert_int_equal(mmlab_close(p, fd), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_write_error_keeps_page, setup, teardown),
		cmocka_unit_test_setup_teardown(t_write_errors_under_pressure, setup, teardown),
		cmocka_unit_test_setup_teardown(t_write_error_zero_page, setup, teardown),
		cmocka_unit_test_setup_teardown(t_read_error_sigbus, setup, teardown),
		cmocka_unit_test_setup_teardown(t_read_error_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(t_read_error_shmem, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
