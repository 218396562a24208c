/*
 * test_uffd.c - userfaultfd missing and write-protect faults,
 * differential against the host kernel.
 *
 * The userfaultfd is opened as a plain program opens it (UFFDIO_API with
 * features 0: no WP_UNPOPULATED, no WP_ASYNC, no EVENT_FORK).  On the host a
 * handler process records each fault and resolves it as the model's default
 * handler does: wp -> UFFDIO_WRITEPROTECT off for that page, missing ->
 * UFFDIO_ZEROPAGE (markers_be.h).  Expectations (6.18, and
 * selftests/mm/uffd-unit-tests.c):
 *
 * - anonymous: UFFDIO_WRITEPROTECT marks present PTEs (pagemap bit 57);
 *   the bit moves into the swap PTE at pageout and back at swap-in; reads
 *   never fault; the first write faults (one "wp" event), is resolved, and
 *   completes.  MADV_DONTNEED drops the protection (zap of anonymous memory
 *   drops everything); empty PTEs are not protected (no WP_UNPOPULATED).
 * - shmem: protection on empty PTEs is a PTE marker (0x420000000000003f),
 *   installed by UFFDIO_WRITEPROTECT and by every zap of a protected PTE:
 *   MADV_DONTNEED, pageout, hole punching (MADV_REMOVE), so the protection
 *   survives them.
 * - missing: the first access to an empty page is a "missing" event, then
 *   the zero page (anon) or a zeroed page cache page (shmem).
 * - registration: a range without any VMA is EINVAL (a hole inside a range
 *   that has VMAs is not); UFFDIO_WRITEPROTECT of a VMA not registered for
 *   wp is ENOENT.
 * - fork: without UFFD_FEATURE_EVENT_FORK the child's VMAs are not
 *   registered and its PTEs lose the uffd-wp bit.
 */
#include "markers_be.h"

#define A	DIFF_BASE
#define WP	MMLAB_UFFD_WP
#define MISSING	MMLAB_UFFD_MISSING

static bool wp_bit(struct be *b, uint64_t addr)
{
	return be_pm(b, addr) & MMLAB_PM_UFFD_WP;
}

static uint64_t pm_ps(struct be *b, uint64_t addr)	/* present, swap, wp */
{
	return be_pm(b, addr) & (MMLAB_PM_PRESENT | MMLAB_PM_SWAP | MMLAB_PM_UFFD_WP);
}

/* Anonymous: protect present pages; reads pass, a write faults once. */
static void anon_wp_present(struct be *b)
{
	uint64_t v;
	int i;

	be_uffd_init(b);
	EXPECT(b, "mmap", be_map_anon(b, A, 4 * PG), 0);
	for (i = 0; i < 4; i++)
		EXPECTI(b, "store", i, be_put(b, A + i * PG, 0x100 + i), 0);
	EXPECT(b, "register wp", be_uffd_register(b, A, 4 * PG, WP), 0);
	EXPECT(b, "registered: no wp bit yet", wp_bit(b, A), 0);
	EXPECT(b, "wp on [0,2)", be_uffd_wp(b, A, 2 * PG, true), 0);
	EXPECT(b, "page 0 wp bit", wp_bit(b, A), 1);
	EXPECT(b, "page 1 wp bit", wp_bit(b, A + PG), 1);
	EXPECT(b, "page 2 not protected", wp_bit(b, A + 2 * PG), 0);
	EXPECT(b, "read page 0", be_get(b, A, &v), 0);
	EXPECT(b, "  value", v, 0x100);
	obs_events(b, "reads: no event", A, 0);
	EXPECT(b, "write page 1", be_put(b, A + PG, 0x2222), 0);
	obs_events(b, "write: one wp event", A, 1);
	EXPECT(b, "write completed", be_get(b, A + PG, &v), 0);
	EXPECT(b, "  value", v, 0x2222);
	EXPECT(b, "page 1 resolved", wp_bit(b, A + PG), 0);
	EXPECT(b, "page 0 still protected", wp_bit(b, A), 1);
	EXPECT(b, "write page 2 (unprotected)", be_put(b, A + 2 * PG, 1), 0);
	EXPECT(b, "write page 1 again", be_put(b, A + PG, 3), 0);
	obs_events(b, "no more events", A, 0);
	EXPECT(b, "wp off", be_uffd_wp(b, A, 4 * PG, false), 0);
	EXPECT(b, "write page 0", be_put(b, A, 4), 0);
	obs_events(b, "unprotected: no event", A, 0);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
	be_uffd_done(b);
}
DIFF_TEST_REQUIRES(anon_wp_present, "uffd_wp")

/* Anonymous: empty PTEs are not protected (no WP_UNPOPULATED). */
static void anon_wp_unpopulated(struct be *b)
{
	uint64_t v;

	be_uffd_init(b);
	EXPECT(b, "mmap", be_map_anon(b, A, 4 * PG), 0);
	EXPECT(b, "register wp", be_uffd_register(b, A, 4 * PG, WP), 0);
	EXPECT(b, "wp on", be_uffd_wp(b, A, 4 * PG, true), 0);
	EXPECT(b, "no marker on anon", be_pm(b, A), 0);
	EXPECT(b, "write", be_put(b, A, 9), 0);
	obs_events(b, "no event", A, 0);
	EXPECT(b, "not protected", wp_bit(b, A), 0);
	/* a read maps the zero page: protect it, then the write faults */
	EXPECT(b, "read page 1", be_get(b, A + PG, &v), 0);
	EXPECT(b, "wp on page 1", be_uffd_wp(b, A + PG, PG, true), 0);
	EXPECT(b, "zero page protected", wp_bit(b, A + PG), 1);
	EXPECT(b, "write page 1", be_put(b, A + PG, 5), 0);
	obs_events(b, "one wp event", A, 1);
	EXPECT(b, "written", be_get(b, A + PG, &v), 0);
	EXPECT(b, "  value", v, 5);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
	be_uffd_done(b);
}
DIFF_TEST_REQUIRES(anon_wp_unpopulated, "uffd_wp")

/* Anonymous: MADV_DONTNEED drops the protection with the page. */
static void anon_wp_dontneed(struct be *b)
{
	uint64_t v;

	be_uffd_init(b);
	EXPECT(b, "mmap", be_map_anon(b, A, 4 * PG), 0);
	EXPECT(b, "store", be_put(b, A, 1), 0);
	EXPECT(b, "store", be_put(b, A + PG, 1), 0);
	EXPECT(b, "register wp", be_uffd_register(b, A, 4 * PG, WP), 0);
	EXPECT(b, "wp on", be_uffd_wp(b, A, 4 * PG, true), 0);
	EXPECT(b, "protected", wp_bit(b, A), 1);
	EXPECT(b, "dontneed page 0", be_madvise(b, A, PG, MADV_DONTNEED), 0);
	EXPECT(b, "none: no marker for anon", be_pm(b, A), 0);
	EXPECT(b, "write page 0", be_put(b, A, 7), 0);
	obs_events(b, "no event: protection dropped", A, 0);
	EXPECT(b, "page 0 unprotected", wp_bit(b, A), 0);
	EXPECT(b, "read back", be_get(b, A, &v), 0);
	EXPECT(b, "  value", v, 7);
	EXPECT(b, "page 1 still protected", wp_bit(b, A + PG), 1);
	EXPECT(b, "write page 1", be_put(b, A + PG, 7), 0);
	obs_events(b, "page 1 faults", A, 1);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
	be_uffd_done(b);
}
DIFF_TEST_REQUIRES(anon_wp_dontneed, "uffd_wp")

/* Anonymous: pageout keeps the bit in the swap PTE; swap-in keeps it. */
static void anon_wp_pageout(struct be *b)
{
	uint64_t v;
	int i;

	be_uffd_init(b);
	if (!be_swap(b))
		goto out;
	EXPECT(b, "mmap", be_map_anon(b, A, 4 * PG), 0);
	for (i = 0; i < 4; i++)
		EXPECTI(b, "store", i, be_put(b, A + i * PG, 0x300 + i), 0);
	EXPECT(b, "register wp", be_uffd_register(b, A, 4 * PG, WP), 0);
	EXPECT(b, "wp on [0,3)", be_uffd_wp(b, A, 3 * PG, true), 0);
	EXPECT(b, "pageout", be_madvise(b, A, 4 * PG, MADV_PAGEOUT), 0);
	for (i = 0; i < 4; i++)
		EXPECTI(b, "swapped: present/swap/wp", i, pm_ps(b, A + i * PG),
			MMLAB_PM_SWAP | (i < 3 ? MMLAB_PM_UFFD_WP : 0));
	/* page 0: read (swap-in) keeps the protection, then a write faults */
	EXPECT(b, "read page 0", be_get(b, A, &v), 0);
	EXPECT(b, "  value", v, 0x300);
	EXPECT(b, "swapped in, still protected", pm_ps(b, A),
	       MMLAB_PM_PRESENT | MMLAB_PM_UFFD_WP);
	obs_events(b, "swap-in read: no event", A, 0);
	EXPECT(b, "write page 0", be_put(b, A, 0x400), 0);
	obs_events(b, "wp event", A, 1);
	EXPECT(b, "written", be_get(b, A, &v), 0);
	EXPECT(b, "  value", v, 0x400);
	/* page 1: a write straight into the swapped page: swap-in, then wp */
	EXPECT(b, "write page 1 (swapped)", be_put(b, A + PG + 8, 0x401), 0);
	obs_events(b, "wp event", A, 1);
	EXPECT(b, "old data kept", be_get(b, A + PG, &v), 0);
	EXPECT(b, "  value", v, 0x301);
	EXPECT(b, "new data", be_get(b, A + PG + 8, &v), 0);
	EXPECT(b, "  value", v, 0x401);
	EXPECT(b, "page 1 resolved", pm_ps(b, A + PG), MMLAB_PM_PRESENT);
	/* page 3 was not protected: no event */
	EXPECT(b, "write page 3", be_put(b, A + 3 * PG, 1), 0);
	obs_events(b, "no event", A, 0);
	/* page 2: still a protected swap entry; wp off on the swap entry */
	EXPECT(b, "wp off page 2 (swapped)", be_uffd_wp(b, A + 2 * PG, PG, false), 0);
	EXPECT(b, "swap entry unprotected", pm_ps(b, A + 2 * PG), MMLAB_PM_SWAP);
	EXPECT(b, "write page 2", be_put(b, A + 2 * PG, 1), 0);
	obs_events(b, "no event", A, 0);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
out:
	be_uffd_done(b);
}
DIFF_TEST_REQUIRES(anon_wp_pageout, "uffd_wp,swap")

/* shmem: UFFDIO_WRITEPROTECT of empty PTEs installs markers. */
static void shmem_wp_empty(struct be *b)
{
	uint8_t c;
	int fd;

	be_uffd_init(b);
	fd = be_map_memfd(b, A, 4 * PG);
	EXPECT(b, "memfd mapped", fd >= 0, 1);
	EXPECT(b, "touch page 3", be_write8(b, A + 3 * PG, 3), 0);
	EXPECT(b, "register wp", be_uffd_register(b, A, 4 * PG, WP), 0);
	EXPECT(b, "wp on", be_uffd_wp(b, A, 4 * PG, true), 0);
	EXPECT(b, "page 0: marker", be_pm(b, A), PM_UFFD_WP_MARKER);
	EXPECT(b, "page 2: marker", be_pm(b, A + 2 * PG), PM_UFFD_WP_MARKER);
	EXPECT(b, "page 3: present, protected", pm_ps(b, A + 3 * PG),
	       MMLAB_PM_PRESENT | MMLAB_PM_UFFD_WP);
	/* a read through the marker maps the page, still protected */
	EXPECT(b, "read page 0", be_read8(b, A, &c), 0);
	EXPECT(b, "  zero", c, 0);
	obs_events(b, "read: no event", A, 0);
	EXPECT(b, "page 0 present, protected", pm_ps(b, A), MMLAB_PM_PRESENT | MMLAB_PM_UFFD_WP);
	EXPECT(b, "write page 0", be_write8(b, A, 0x11), 0);
	obs_events(b, "one wp event", A, 1);
	EXPECT(b, "write page 1 (marker)", be_write8(b, A + PG, 0x12), 0);
	obs_events(b, "one wp event", A, 1);
	EXPECT(b, "read page 1", be_read8(b, A + PG, &c), 0);
	EXPECT(b, "  value", c, 0x12);
	EXPECT(b, "page 1 resolved", pm_ps(b, A + PG), MMLAB_PM_PRESENT);
	EXPECT(b, "wp off", be_uffd_wp(b, A, 4 * PG, false), 0);
	EXPECT(b, "page 2: marker gone", be_pm(b, A + 2 * PG), 0);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
	if (fd >= 0)
		be_close(b, fd);
	be_uffd_done(b);
}
DIFF_TEST_REQUIRES(shmem_wp_empty, "uffd_wp_shmem")

/* shmem: a zap of a protected PTE leaves a marker: DONTNEED, REMOVE. */
static void shmem_wp_zap(struct be *b)
{
	uint8_t c;
	int fd, i;

	be_uffd_init(b);
	fd = be_map_memfd(b, A, 4 * PG);
	EXPECT(b, "memfd mapped", fd >= 0, 1);
	for (i = 0; i < 4; i++)
		EXPECTI(b, "store", i, be_write8(b, A + i * PG, 0x20 + i), 0);
	EXPECT(b, "register wp", be_uffd_register(b, A, 4 * PG, WP), 0);
	EXPECT(b, "wp on [0,3)", be_uffd_wp(b, A, 3 * PG, true), 0);
	EXPECT(b, "dontneed all", be_madvise(b, A, 4 * PG, MADV_DONTNEED), 0);
	EXPECT(b, "page 0: marker", be_pm(b, A), PM_UFFD_WP_MARKER);
	EXPECT(b, "page 3 (unprotected): none", be_pm(b, A + 3 * PG), 0);
	EXPECT(b, "read page 0", be_read8(b, A, &c), 0);
	EXPECT(b, "  data (page cache)", c, 0x20);
	EXPECT(b, "write page 0", be_write8(b, A, 0x30), 0);
	obs_events(b, "DONTNEED kept it: wp event", A, 1);
	/* hole punch: the page is gone, the protection is not */
	EXPECT(b, "remove [1,3)", be_madvise(b, A + PG, 2 * PG, MADV_REMOVE), 0);
	EXPECT(b, "page 1: marker", be_pm(b, A + PG), PM_UFFD_WP_MARKER);
	EXPECT(b, "page 2: marker", be_pm(b, A + 2 * PG), PM_UFFD_WP_MARKER);
	EXPECT(b, "read page 1", be_read8(b, A + PG, &c), 0);
	EXPECT(b, "  punched: zero", c, 0);
	EXPECT(b, "page 1 present, protected", pm_ps(b, A + PG),
	       MMLAB_PM_PRESENT | MMLAB_PM_UFFD_WP);
	obs_events(b, "read: no event", A, 0);
	EXPECT(b, "write page 2", be_write8(b, A + 2 * PG, 0x32), 0);
	obs_events(b, "REMOVE kept it: wp event", A, 1);
	EXPECT(b, "read page 2", be_read8(b, A + 2 * PG, &c), 0);
	EXPECT(b, "  value", c, 0x32);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
	if (fd >= 0)
		be_close(b, fd);
	be_uffd_done(b);
}
DIFF_TEST_REQUIRES(shmem_wp_zap, "uffd_wp_shmem")

/* shmem: pageout unmaps the page and leaves a marker. */
static void shmem_wp_pageout(struct be *b)
{
	uint8_t c;
	int fd = -1, i;

	be_uffd_init(b);
	if (!be_swap(b))
		goto out;
	fd = be_map_memfd(b, A, 4 * PG);
	EXPECT(b, "memfd mapped", fd >= 0, 1);
	for (i = 0; i < 4; i++)
		EXPECTI(b, "store", i, be_write8(b, A + i * PG, 0x40 + i), 0);
	EXPECT(b, "register wp", be_uffd_register(b, A, 4 * PG, WP), 0);
	EXPECT(b, "wp on [0,2)", be_uffd_wp(b, A, 2 * PG, true), 0);
	EXPECT(b, "pageout", be_madvise(b, A, 4 * PG, MADV_PAGEOUT), 0);
	EXPECT(b, "page 0: marker", be_pm(b, A), PM_UFFD_WP_MARKER);
	EXPECT(b, "page 1: marker", be_pm(b, A + PG), PM_UFFD_WP_MARKER);
	EXPECT(b, "page 2: none (upstream: no PM_SWAP for shmem)", be_pm(b, A + 2 * PG), 0);
	EXPECT(b, "read page 0 (swap-in)", be_read8(b, A, &c), 0);
	EXPECT(b, "  value", c, 0x40);
	EXPECT(b, "page 0 present, protected", pm_ps(b, A), MMLAB_PM_PRESENT | MMLAB_PM_UFFD_WP);
	obs_events(b, "read: no event", A, 0);
	EXPECT(b, "write page 0", be_write8(b, A, 0x50), 0);
	obs_events(b, "wp event", A, 1);
	EXPECT(b, "write page 1 (swapped)", be_write8(b, A + PG + 1, 0x51), 0);
	obs_events(b, "wp event", A, 1);
	EXPECT(b, "read page 1", be_read8(b, A + PG, &c), 0);
	EXPECT(b, "  old byte", c, 0x41);
	EXPECT(b, "write page 2", be_write8(b, A + 2 * PG, 0x52), 0);
	obs_events(b, "unprotected: no event", A, 0);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
out:
	if (fd >= 0)
		be_close(b, fd);
	be_uffd_done(b);
}
DIFF_TEST_REQUIRES(shmem_wp_pageout, "uffd_wp_shmem,swap")

/* Missing faults on anonymous memory: in order, once, then zeros. */
static void anon_missing(struct be *b)
{
	uint8_t buf[4 * PG];
	uint64_t v;

	be_uffd_init(b);
	EXPECT(b, "mmap", be_map_anon(b, A, 8 * PG), 0);
	EXPECT(b, "store 0", be_put(b, A, 1), 0);
	EXPECT(b, "store 1", be_put(b, A + PG, 1), 0);
	EXPECT(b, "register missing", be_uffd_register(b, A, 8 * PG, MISSING), 0);
	EXPECT(b, "read [0,4)", be_read(b, A, buf, sizeof(buf), NULL), 0);
	obs_events(b, "pages 2 and 3 missing", A, 2);
	EXPECT(b, "page 2 zero", buf[2 * PG], 0);
	EXPECT(b, "read again", be_read(b, A, buf, sizeof(buf), NULL), 0);
	obs_events(b, "populated: no event", A, 0);
	EXPECT(b, "write page 5", be_put(b, A + 5 * PG, 0x55), 0);
	obs_events(b, "write: one missing event", A, 1);
	EXPECT(b, "written", be_get(b, A + 5 * PG, &v), 0);
	EXPECT(b, "  value", v, 0x55);
	EXPECT(b, "page 5 present", !!(be_pm(b, A + 5 * PG) & MMLAB_PM_PRESENT), 1);
	EXPECT(b, "dontneed page 5", be_madvise(b, A + 5 * PG, PG, MADV_DONTNEED), 0);
	EXPECT(b, "read page 5", be_get(b, A + 5 * PG, &v), 0);
	obs_events(b, "missing again after DONTNEED", A, 1);
	EXPECT(b, "munmap", be_munmap(b, A, 8 * PG), 0);
	be_uffd_done(b);
}
DIFF_TEST(anon_missing)

/* Missing faults on shmem: an empty page cache slot faults. */
static void shmem_missing(struct be *b)
{
	uint8_t c;
	int fd;

	be_uffd_init(b);
	fd = be_map_memfd(b, A, 4 * PG);
	EXPECT(b, "memfd mapped", fd >= 0, 1);
	EXPECT(b, "store page 0", be_write8(b, A, 0x61), 0);
	EXPECT(b, "dontneed page 0", be_madvise(b, A, PG, MADV_DONTNEED), 0);
	EXPECT(b, "register missing", be_uffd_register(b, A, 4 * PG, MISSING), 0);
	EXPECT(b, "read page 0 (in the page cache)", be_read8(b, A, &c), 0);
	EXPECT(b, "  value", c, 0x61);
	obs_events(b, "cached: no event", A, 0);
	EXPECT(b, "read page 1", be_read8(b, A + PG, &c), 0);
	EXPECT(b, "  zero", c, 0);
	obs_events(b, "missing event", A, 1);
	EXPECT(b, "write page 2", be_write8(b, A + 2 * PG, 0x63), 0);
	obs_events(b, "missing event", A, 1);
	EXPECT(b, "read page 2", be_read8(b, A + 2 * PG, &c), 0);
	EXPECT(b, "  value", c, 0x63);
	EXPECT(b, "page 2 present, file", be_pm(b, A + 2 * PG) & (MMLAB_PM_PRESENT | MMLAB_PM_FILE),
	       MMLAB_PM_PRESENT | MMLAB_PM_FILE);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
	if (fd >= 0)
		be_close(b, fd);
	be_uffd_done(b);
}
DIFF_TEST(shmem_missing)

/*
 * Registration and UFFDIO_WRITEPROTECT errors.  Observed on 6.18: a range
 * with no VMA at all is EINVAL, but a hole inside a range that has VMAs is
 * not an error (userfaultfd_register only needs one VMA in the range and
 * registers the VMAs it finds; mwriteprotect_range walks the VMAs of the
 * range and skips holes).
 */
static void register_errors(struct be *b)
{
	be_uffd_init(b);
	EXPECT(b, "mmap [0,2)", be_map_anon(b, A, 2 * PG), 0);
	EXPECT(b, "mmap [3,5)", be_map_anon(b, A + 3 * PG, 2 * PG), 0);
	EXPECT(b, "register unmapped", be_uffd_register(b, A + 2 * PG, PG, WP), -EINVAL);
	EXPECT(b, "register unaligned start", be_uffd_register(b, A + 1, PG, WP), -EINVAL);
	EXPECT(b, "register unaligned len", be_uffd_register(b, A, PG + 1, WP), -EINVAL);
	EXPECT(b, "register len 0", be_uffd_register(b, A, 0, WP), -EINVAL);
	EXPECT(b, "register no mode", be_uffd_register(b, A, PG, 0), -EINVAL);
	EXPECT(b, "wp on unregistered", be_uffd_wp(b, A, PG, true), -ENOENT);
	EXPECT(b, "register missing [0,2)", be_uffd_register(b, A, 2 * PG, MISSING), 0);
	EXPECT(b, "wp on missing-only", be_uffd_wp(b, A, PG, true), -ENOENT);
	EXPECT(b, "register wp [3,5)", be_uffd_register(b, A + 3 * PG, 2 * PG, WP), 0);
	EXPECT(b, "wp on registered", be_uffd_wp(b, A + 3 * PG, 2 * PG, true), 0);
	EXPECT(b, "wp unaligned", be_uffd_wp(b, A + 3 * PG + 1, PG, true), -EINVAL);
	EXPECT(b, "wp from a missing-only VMA over the hole", be_uffd_wp(b, A + PG, 4 * PG, true), -ENOENT);
	EXPECT(b, "wp from the hole into a wp VMA", be_uffd_wp(b, A + 2 * PG, 3 * PG, false), 0);
	/* a hole inside the range: the VMAs around it are registered */
	EXPECT(b, "register both modes over the hole [0,5)",
	       be_uffd_register(b, A, 5 * PG, WP | MISSING), 0);
	EXPECT(b, "wp over the hole [0,5)", be_uffd_wp(b, A, 5 * PG, true), 0);
	EXPECT(b, "registration splits no VMA", be_vmas(b, A, A + 5 * PG, NULL, 0), 2);
	EXPECT(b, "munmap", be_munmap(b, A, 5 * PG), 0);
	be_uffd_done(b);
}
DIFF_TEST_REQUIRES(register_errors, "uffd_wp")

static void fork_child(struct be *c)
{
	uint64_t v;

	EXPECT(c, "child: anon copied, wp bit cleared", pm_ps(c, A), MMLAB_PM_PRESENT);
	EXPECT(c, "child: shmem PTE not copied", be_pm(c, A + 4 * PG), 0);
	EXPECT(c, "child: write anon", be_put(c, A, 0x99), 0);
	EXPECT(c, "child: read back", be_get(c, A, &v), 0);
	EXPECT(c, "  value", v, 0x99);
	EXPECT(c, "child: write shmem", be_put(c, A + 4 * PG, 0x98), 0);
	EXPECT(c, "child: shmem present, no wp", pm_ps(c, A + 4 * PG), MMLAB_PM_PRESENT);
}

/* A fork child is not registered: no uffd bits, no events. */
static void fork_not_registered(struct be *b)
{
	uint64_t v;
	int fd;

	be_uffd_init(b);
	EXPECT(b, "mmap anon", be_map_anon(b, A, 4 * PG), 0);
	fd = be_memfd(b, "fork", 4 * PG);
	EXPECT(b, "memfd", fd >= 0, 1);
	EXPECT(b, "mmap shmem", be_map(b, A + 4 * PG, 4 * PG, MAP_SHARED, fd), 0);
	EXPECT(b, "store anon", be_put(b, A, 1), 0);
	EXPECT(b, "store shmem", be_put(b, A + 4 * PG, 2), 0);
	EXPECT(b, "register wp", be_uffd_register(b, A, 8 * PG, WP), 0);
	EXPECT(b, "wp on", be_uffd_wp(b, A, 8 * PG, true), 0);
	be_fork(b, fork_child);
	obs_events(b, "the child's writes: no event", A, 0);
	EXPECT(b, "parent anon still protected", pm_ps(b, A), MMLAB_PM_PRESENT | MMLAB_PM_UFFD_WP);
	EXPECT(b, "parent anon data", be_get(b, A, &v), 0);
	EXPECT(b, "  value", v, 1);
	EXPECT(b, "parent shmem sees the child's write", be_get(b, A + 4 * PG, &v), 0);
	EXPECT(b, "  value", v, 0x98);
	EXPECT(b, "parent write anon", be_put(b, A, 3), 0);
	obs_events(b, "parent: wp event", A, 1);
	EXPECT(b, "munmap", be_munmap(b, A, 8 * PG), 0);
	if (fd >= 0)
		be_close(b, fd);
	be_uffd_done(b);
}
DIFF_TEST_REQUIRES(fork_not_registered, "uffd_wp")

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_anon_wp_present),
		cmocka_unit_test(t_anon_wp_unpopulated),
		cmocka_unit_test(t_anon_wp_dontneed),
		cmocka_unit_test(t_anon_wp_pageout),
		cmocka_unit_test(t_shmem_wp_empty),
		cmocka_unit_test(t_shmem_wp_zap),
		cmocka_unit_test(t_shmem_wp_pageout),
		cmocka_unit_test(t_anon_missing),
		cmocka_unit_test(t_shmem_missing),
		cmocka_unit_test(t_register_errors),
		cmocka_unit_test(t_fork_not_registered),
	};
	int failed;

	host_swap_up(64 * MiB);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	host_swap_down();
	return tests_exit(failed);
}
