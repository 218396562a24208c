/*
 * test_shmem.c - shared anonymous and memfd (shmem) mappings.
 *
 * Kernel behaviour (checked on the host, 6.18): pages of a shared mapping
 * live in the file's page cache; a read fault allocates one (not the zero
 * page); pagemap shows them present with PM_FILE, exclusive while one PTE
 * maps them.  A write through one mapping is seen through every other, also
 * in another process after fork.  fork does not copy shmem PTEs: the child
 * faults them in from the page cache.  A private mapping of a memfd reads
 * the file and copies on write to an anonymous page; the file stays
 * unchanged.  status counts shmem pages in RssShmem, never in RssFile;
 * private copies in RssAnon.  nr_shmem counts page-cache pages until the
 * file is gone.
 */
#include "harness.h"

#define RW	(PROT_READ | PROT_WRITE)

static uint64_t map_shared(struct mmlab_proc *p, uint64_t len, int fd, uint64_t off)
{
	uint64_t out = 0;
	int flags = MAP_SHARED | (fd < 0 ? MAP_ANONYMOUS : 0);

	assert_int_equal(mmlab_mmap(mmlab_main_task(p), 0, len, RW, flags, fd, off,
				    &out), 0);
	return out;
}

static uint64_t map_private_fd(struct mmlab_proc *p, uint64_t len, int fd)
{
	uint64_t out = 0;

	assert_int_equal(mmlab_mmap(mmlab_main_task(p), 0, len, RW, MAP_PRIVATE, fd,
				    0, &out), 0);
	return out;
}

static void file_page(struct mmlab_proc *p, uint64_t a, bool excl)
{
	uint64_t e = pm1(p, a);

	if (!(e & MMLAB_PM_PRESENT) || !(e & MMLAB_PM_FILE) ||
	    !!(e & MMLAB_PM_MMAP_EXCLUSIVE) != excl)
		fail_msg("pid %d %#" PRIx64 ": pagemap %#" PRIx64
			 ", want present file exclusive=%d", mmlab_pid(p), a, e, excl);
}

static void t_shared_anon_read_allocates(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t shmem0 = vmstat("nr_shmem");
	uint64_t a = map_shared(p, 4 * PG, -1, 0);
	uint64_t z = map_anon(p, 0, PG, RW, 0);
	struct mmlab_status st, st0 = status_of(p);

	zero_ok(t, z, PG);
	zero_ok(t, a, 4 * PG);
	file_page(p, a, true);
	assert_true(pfn_of(pm1(p, a)) != pfn_of(pm1(p, z)));
	assert_true(pfn_of(pm1(p, a)) != pfn_of(pm1(p, a + PG)));
	assert_int_equal(vmstat("nr_shmem") - shmem0, 4);
	st = status_of(p);
	assert_int_equal(st.RssShmem, 16);
	assert_int_equal(st.RssFile, 0);
	assert_int_equal(st.RssAnon, st0.RssAnon);
	assert_int_equal(st.VmRSS - st0.VmRSS, 16);
	assert_int_equal(mmlab_exit(p), 0);
	/* The last mapping gone, the shared anonymous file is freed. */
	assert_int_equal(vmstat("nr_shmem"), shmem0);
}

static void t_shared_anon_fork(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p), *ct;
	uint64_t a = map_shared(p, 4 * PG, -1, 0), pfn;
	struct mmlab_smaps sm;

	fill_ok(t, a, 2 * PG, 1);
	pfn = pfn_of(pm1(p, a));
	assert_int_equal(mmlab_fork(p, &c), 0);
	ct = mmlab_main_task(c);
	/* Not copied at fork: the child faults from the page cache. */
	assert_false(pm1(c, a) & MMLAB_PM_PRESENT);
	assert_int_equal(status_of(c).RssShmem, 0);
	file_page(p, a, true);
	verify_ok(ct, a, 2 * PG, 1);
	assert_int_equal(pfn_of(pm1(c, a)), pfn);
	file_page(c, a, false);
	file_page(p, a, false);
	/* Writes go both ways. */
	fill_ok(ct, a, PG, 2);
	verify_ok(t, a, PG, 2);
	assert_int_equal(pfn_of(pm1(c, a)), pfn);
	fill_ok(t, a + 2 * PG, 2 * PG, 3);
	verify_ok(ct, a + 2 * PG, 2 * PG, 3);
	assert_int_equal(status_of(c).RssShmem, 16);
	assert_int_equal(status_of(c).RssAnon, status_of(p).RssAnon);
	/* smaps: shmem is not Anonymous; pages mapped twice are Shared. */
	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	assert_int_equal(sm.Anonymous, 0);
	assert_int_equal(sm.Rss, 16);
	assert_int_equal(sm.Shared_Dirty + sm.Shared_Clean, 16);
	assert_int_equal(sm.Pss, 8);
	assert_true(vmflag(sm.flags, "sh"));
	assert_int_equal(mmlab_exit(c), 0);
	verify_ok(t, a, PG, 2);
	file_page(p, a, true);
	assert_int_equal(mmlab_exit(p), 0);
}

/* The bytes at @a1 (as @t1) and @a2 (as @t2) are the same. */
static void same_bytes(struct mmlab_task *t1, uint64_t a1, struct mmlab_task *t2,
		       uint64_t a2, uint64_t len)
{
	static uint8_t x[PG], y[PG];
	uint64_t off;

	for (off = 0; off < len; off += PG) {
		assert_int_equal(mmlab_read(t1, a1 + off, x, PG, NULL), 0);
		assert_int_equal(mmlab_read(t2, a2 + off, y, PG, NULL), 0);
		if (memcmp(x, y, PG))
			fail_msg("%#" PRIx64 " and %#" PRIx64 " differ", a1 + off,
				 a2 + off);
	}
}

static void t_memfd_shared(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p), *ct;
	uint64_t shmem0 = vmstat("nr_shmem");
	int fd = mmlab_memfd(p, "shared", 8 * PG);
	uint64_t a, b, ca;
	struct mmlab_status st, st0 = status_of(p);

	assert_true(fd >= 0);
	assert_int_equal(vmstat("nr_shmem"), shmem0);	/* sparse until touched */
	a = map_shared(p, 8 * PG, fd, 0);
	b = map_shared(p, 4 * PG, fd, 4 * PG);
	fill_ok(t, a, 8 * PG, 10);
	assert_int_equal(vmstat("nr_shmem") - shmem0, 8);
	same_bytes(t, a + 4 * PG, t, b, 4 * PG);
	put64(t, b + PG, 0xb1);
	assert_int_equal(get64(t, a + 5 * PG), 0xb1);
	assert_int_equal(pfn_of(pm1(p, b)), pfn_of(pm1(p, a + 4 * PG)));
	file_page(p, a, true);
	file_page(p, b, false);
	st = status_of(p);
	assert_int_equal(st.RssShmem, 12 * 4);
	assert_int_equal(st.RssFile, 0);
	assert_int_equal(st.RssAnon, st0.RssAnon);

	/* The child inherits the fd and maps the same file. */
	assert_int_equal(mmlab_fork(p, &c), 0);
	ct = mmlab_main_task(c);
	ca = map_shared(c, 8 * PG, fd, 0);
	same_bytes(t, a, ct, ca, 8 * PG);
	assert_int_equal(pfn_of(pm1(c, ca + 3 * PG)), pfn_of(pm1(p, a + 3 * PG)));
	put64(ct, ca + 2 * PG, 0xc2);
	assert_int_equal(get64(t, a + 2 * PG), 0xc2);
	assert_int_equal(vmstat("nr_shmem") - shmem0, 8);
	assert_int_equal(mmlab_close(c, fd), 0);
	assert_int_equal(mmlab_exit(c), 0);

	/* REMOVE frees the page-cache page. */
	assert_int_equal(mmlab_madvise(t, a + 7 * PG, PG, MADV_REMOVE), 0);
	assert_int_equal(vmstat("nr_shmem") - shmem0, 7);
	zero_ok(t, a + 7 * PG, PG);
	zero_ok(t, b + 3 * PG, PG);

	/* Closed and unmapped: the file and its pages are gone. */
	assert_int_equal(mmlab_close(p, fd), 0);
	assert_int_equal(get64(t, a + 2 * PG), 0xc2);
	assert_int_equal(mmlab_munmap(t, a, 8 * PG), 0);
	assert_int_equal(mmlab_munmap(t, b, 4 * PG), 0);
	assert_int_equal(vmstat("nr_shmem"), shmem0);
	assert_int_equal(status_of(p).RssShmem, 0);
	assert_int_equal(mmlab_exit(p), 0);
}

static void t_memfd_private_cow(void **state)
{
	uint64_t anon00 = vmstat("nr_anon_pages");
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t anon0 = vmstat("nr_anon_pages");
	int fd = mmlab_memfd(p, "private", 4 * PG);
	uint64_t s, pv, e, fpfn;
	struct mmlab_status st, st0 = status_of(p);

	assert_true(fd >= 0);
	s = map_shared(p, 4 * PG, fd, 0);
	fill_ok(t, s, 4 * PG, 20);
	pv = map_private_fd(p, 4 * PG, fd);

	/* A read maps the file page itself. */
	same_bytes(t, s, t, pv, PG);
	fpfn = pfn_of(pm1(p, s));
	assert_int_equal(pfn_of(pm1(p, pv)), fpfn);
	file_page(p, pv, false);
	assert_int_equal(vmstat("nr_anon_pages"), anon0);

	/* A write copies to an anonymous page; the file is unchanged. */
	put64(t, pv, 0x77);
	e = pm1(p, pv);
	assert_true(e & MMLAB_PM_PRESENT);
	assert_false(e & MMLAB_PM_FILE);
	assert_true(e & MMLAB_PM_MMAP_EXCLUSIVE);
	assert_true(pfn_of(e) != fpfn);
	assert_int_equal(get64(t, pv), 0x77);
	verify_ok(t, s, 4 * PG, 20);
	file_page(p, s, true);
	same_bytes(t, s + 8, t, pv + 8, PG - 8);
	assert_int_equal(vmstat("nr_anon_pages"), anon0 + 1);

	/* A write to a page the read's fault-around mapped: the copy holds
	 * the file's bytes. */
	put64(t, pv + PG, 0x78);
	assert_false(pm1(p, pv + PG) & MMLAB_PM_FILE);
	same_bytes(t, s + PG + 8, t, pv + PG + 8, PG - 8);
	verify_ok(t, s + PG, PG, 20);

	/* While the private mapping only reads, it sees the file change. */
	same_bytes(t, s + 2 * PG, t, pv + 2 * PG, PG);
	put64(t, s + 2 * PG, 0x5);
	assert_int_equal(get64(t, pv + 2 * PG), 0x5);
	put64(t, pv + 2 * PG + 8, 0x6);
	put64(t, s + 2 * PG, 0x9);
	assert_int_equal(get64(t, pv + 2 * PG), 0x5);

	st = status_of(p);
	assert_int_equal(st.RssAnon - st0.RssAnon, 3 * 4);
	/* s's four pages, and pv's fourth, which the first read of pv mapped
	 * by fault-around (as 6.18: do_read_fault maps the cached pages of
	 * the 16-page window) and nothing has copied */
	assert_int_equal(st.RssShmem, 5 * 4);
	assert_int_equal(st.RssFile, 0);

	/* DONTNEED drops the private copy: the file shows through again. */
	assert_int_equal(mmlab_madvise(t, pv, PG, MADV_DONTNEED), 0);
	same_bytes(t, s, t, pv, PG);
	assert_int_equal(vmstat("nr_anon_pages"), anon0 + 2);
	assert_int_equal(mmlab_close(p, fd), 0);
	assert_int_equal(mmlab_exit(p), 0);
	assert_int_equal(vmstat("nr_anon_pages"), anon00);
}

/* A private file mapping forks like anonymous memory once written. */
static void t_memfd_private_fork(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p);
	int fd = mmlab_memfd(p, "pf", 2 * PG);
	uint64_t pv, s;

	assert_true(fd >= 0);
	s = map_shared(p, 2 * PG, fd, 0);
	pv = map_private_fd(p, 2 * PG, fd);
	put64(t, s + PG, 0x51);
	put64(t, pv, 0x61);
	assert_int_equal(get64(t, pv + PG), 0x51);
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(get64(mmlab_main_task(c), pv), 0x61);
	assert_int_equal(get64(mmlab_main_task(c), pv + PG), 0x51);
	put64(mmlab_main_task(c), pv, 0x62);
	assert_int_equal(get64(t, pv), 0x61);
	assert_int_equal(get64(mmlab_main_task(c), pv), 0x62);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_machine, teardown_machine)
	const struct CMUnitTest tests[] = {
		T(t_shared_anon_read_allocates),
		T(t_shared_anon_fork),
		T(t_memfd_shared),
		T(t_memfd_private_cow),
		T(t_memfd_private_fork),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
