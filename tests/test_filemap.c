/*
 * test_filemap.c - the page cache of a regular file on a disk filesystem
 * (mmlab_file_create).
 *
 * Kernel behaviour (6.18; the guard-regions, pagemap_ioctl and cow file
 * scenarios check the mapped side against this host's ext4):
 * - a shared mapping maps the page-cache folio: pagemap PM_FILE, counted
 *   in RssFile (not RssShmem), nr_file_pages; a read of a page not in the
 *   cache is a major fault that reads the file around it (read_ahead_kb),
 *   and fault-around maps the 64 KiB window of what is cached;
 * - a private mapping copies on write into an anonymous page (RssAnon); a
 *   hole punch leaves that copy (it unmaps only the file's pages), a
 *   truncation removes it too (even_cows): SIGBUS past the new end;
 * - reclaim never swaps file folios: a clean one is dropped, a dirty one
 *   is written back (only by kswapd) and then dropped; the data comes back
 *   from the disk on the next fault.  MADV_PAGEOUT (not kswapd) unmaps a
 *   dirty one and leaves it in the cache, but drops a clean one.
 */
#include "harness.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#define RW	(PROT_READ | PROT_WRITE)
#define PUNCH	(MMLAB_FALLOC_FL_PUNCH_HOLE | MMLAB_FALLOC_FL_KEEP_SIZE)

static uint64_t map_fd(struct mmlab_proc *p, uint64_t len, int flags, int fd)
{
	uint64_t out = 0;

	assert_int_equal(mmlab_mmap(mmlab_main_task(p), 0, len, RW, flags, fd, 0, &out), 0);
	return out;
}

static uint8_t byte_at(struct mmlab_task *t, uint64_t a, int *sig)
{
	uint8_t b = 0;

	*sig = mmlab_read(t, a, &b, 1, NULL);
	return b;
}

static void put_byte(struct mmlab_task *t, uint64_t a, uint8_t v)
{
	assert_int_equal(mmlab_write(t, a, &v, 1, NULL), 0);
}

/* Shared pages of a disk file: PM_FILE, RssFile, major faults. */
static void t_shared_counts(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	int fd = mmlab_file_create(p, "f", 4 * PG);
	uint64_t a, maj0 = vmstat("pgmajfault"), files0 = vmstat("nr_file_pages");
	uint64_t shmem0 = vmstat("nr_shmem");
	struct mmlab_status st;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mmlab_get_seals(p, fd), -EINVAL);
	assert_int_equal(mmlab_add_seals(p, fd, MMLAB_F_SEAL_WRITE), -EINVAL);
	a = map_fd(p, 4 * PG, MAP_SHARED, fd);
	zero_ok(t, a, PG);		/* a hole reads zero */
	/* one major fault read the file around it; fault-around mapped it */
	assert_int_equal(vmstat("pgmajfault") - maj0, 1);
	for (int i = 0; i < 4; i++) {
		assert_true(pm1(p, a + i * PG) & MMLAB_PM_PRESENT);
		assert_true(pm1(p, a + i * PG) & MMLAB_PM_FILE);
	}
	zero_ok(t, a, 4 * PG);
	assert_int_equal(vmstat("pgmajfault") - maj0, 1);
	assert_int_equal(vmstat("nr_file_pages") - files0, 4);
	assert_int_equal(vmstat("nr_shmem"), shmem0);
	st = status_of(p);
	assert_int_equal(st.RssFile, 16);
	assert_int_equal(st.RssShmem, 0);
	assert_int_equal(mmlab_close(p, fd), 0);
	assert_int_equal(mmlab_exit(p), 0);
	/* the last reference gone, the cache goes too */
	assert_int_equal(vmstat("nr_file_pages"), files0);
}

/* A private CoW copy survives a hole punch, not a truncation. */
static void t_truncate_vs_private_cow(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	int fd = mmlab_file_create(p, "f", 4 * PG), sig;
	uint64_t s, v, anon0;

	(void)state;
	assert_true(fd >= 0);
	s = map_fd(p, 4 * PG, MAP_SHARED, fd);
	v = map_fd(p, 4 * PG, MAP_PRIVATE, fd);
	for (int i = 0; i < 4; i++)
		put_byte(t, s + i * PG, (uint8_t)('a' + i));
	anon0 = status_of(p).RssAnon;
	put_byte(t, v + 1 * PG, 'X');			/* a private copy */
	assert_int_equal(byte_at(t, v + 2 * PG, &sig), 'c');	/* the file's */
	assert_int_equal(status_of(p).RssAnon - anon0, 4);
	assert_false(pm1(p, v + PG) & MMLAB_PM_FILE);
	assert_true(pm1(p, v + 2 * PG) & MMLAB_PM_FILE);

	assert_int_equal(mmlab_fallocate(p, fd, PUNCH, PG, 2 * PG), 0);
	assert_int_equal(byte_at(t, v + 1 * PG, &sig), 'X');	/* copy stays */
	assert_int_equal(sig, 0);
	assert_int_equal(byte_at(t, v + 2 * PG, &sig), 0);	/* the hole */
	assert_int_equal(byte_at(t, s + 1 * PG, &sig), 0);
	assert_int_equal(byte_at(t, s + 3 * PG, &sig), 'd');

	assert_int_equal(mmlab_ftruncate(p, fd, PG), 0);
	byte_at(t, v + 1 * PG, &sig);
	assert_int_equal(sig, MMLAB_SIGBUS);			/* copy gone */
	byte_at(t, s + 3 * PG, &sig);
	assert_int_equal(sig, MMLAB_SIGBUS);
	assert_int_equal(byte_at(t, v, &sig), 'a');
	/* growing back: zeros, not the old data (its blocks were freed) */
	assert_int_equal(mmlab_ftruncate(p, fd, 4 * PG), 0);
	assert_int_equal(byte_at(t, s + 3 * PG, &sig), 0);
	assert_int_equal(sig, 0);
	assert_int_equal(byte_at(t, v + 1 * PG, &sig), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* MADV_PAGEOUT: a dirty file folio is unmapped and kept; a clean one is
 * dropped and read back from the disk. */
static void t_pageout_dirty_clean(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	int fd = mmlab_file_create(p, "f", 2 * PG), sig;
	uint64_t a, files0 = vmstat("nr_file_pages"), maj0;

	(void)state;
	assert_true(fd >= 0);
	a = map_fd(p, 2 * PG, MAP_SHARED, fd);
	put_byte(t, a, 'w');			/* dirty */
	byte_at(t, a + PG, &sig);		/* clean (a hole) */
	assert_int_equal(vmstat("nr_file_pages") - files0, 2);
	assert_int_equal(mmlab_madvise(t, a, 2 * PG, MADV_PAGEOUT), 0);
	assert_false(pm1(p, a) & MMLAB_PM_PRESENT);
	assert_false(pm1(p, a + PG) & MMLAB_PM_PRESENT);
	assert_int_equal(vmstat("nr_file_pages") - files0, 1);	/* the dirty one */
	maj0 = vmstat("pgmajfault");
	assert_int_equal(byte_at(t, a, &sig), 'w');
	assert_int_equal(vmstat("pgmajfault"), maj0);		/* from the cache */
	byte_at(t, a + PG, &sig);
	assert_int_equal(vmstat("pgmajfault") - maj0, 1);	/* read again */
	assert_int_equal(mmlab_exit(p), 0);
}

/* A 16 MiB machine without swap and a 24 MiB file written through a
 * shared mapping: kswapd writes dirty folios back and drops them; every
 * byte reads back, the dropped pages from the disk (major faults). */
static void t_writeback_on_reclaim(void **state)
{
	struct mmlab_config cfg;
	struct mmlab_proc *p;
	struct mmlab_task *t;
	const uint64_t len = 24 * MiB;
	uint64_t a, maj0, w0;
	int fd;

	(void)state;
	machine_down();
	mmlab_config_default(&cfg);
	cfg.node_bytes[0] = 16 * MiB;
	machine_up_cfg(&cfg);
	p = spawn();
	t = mmlab_main_task(p);
	fd = mmlab_file_create(p, "big", len);
	assert_true(fd >= 0);
	a = map_fd(p, len, MAP_SHARED, fd);
	w0 = vmstat("nr_vmscan_write");
	fill_ok(t, a, len, 0xf11e);
	assert_true(vmstat("nr_vmscan_write") - w0 > 0);
	assert_true(vmstat("pgsteal_kswapd") + vmstat("pgsteal_direct") > 0);
	assert_true(status_of(p).RssFile < len / KiB);
	maj0 = vmstat("pgmajfault");
	verify_ok(t, a, len, 0xf11e);
	assert_true(vmstat("pgmajfault") > maj0);
	assert_int_equal(status_of(p).RssShmem, 0);
	assert_int_equal(status_of(p).VmSwap, 0);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_machine, teardown_machine)
	const struct CMUnitTest tests[] = {
		T(t_shared_counts),
		T(t_truncate_vs_private_cow),
		T(t_pageout_dirty_clean),
		T(t_writeback_on_reclaim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
