/*
 * test_luf.c - LUF, lazy unmap flush.
 *
 * - LUF's munmap scenario (Dave Hansen): a file (memfd) mapped read-only is read
 *   on CPU 1, reclaimed by MADV_PAGEOUT on CPU 0 (with LUF on: no IPI, the
 *   flush is deferred), then munmap sees only none PTEs; another file is
 *   mapped at the same address and CPU 1 reads it.  With LUF off and with LUF
 *   on, CPU 1 reads the new file and the stale-TLB detector is silent; with
 *   luf/unsafe_skip_munmap_flush = 1 (a deliberate bug) the detector reports
 *   the access through the entry munmap left behind.
 * - The same with mprotect(PROT_NONE) instead of munmap: CPU 1 gets SIGSEGV,
 *   no report; with the unsafe knob, a report.
 * - LUF cuts IPIs: a read-only file mapping cached by four CPUs, reclaimed
 *   (MADV_PAGEOUT) or migrated (move_pages, two nodes): LUF on sends none at
 *   the unmap, LUF off sends some; data intact after.
 * - Parked frames are flushed before reuse: after a lazy unmap, filling
 *   memory brings the parked frames back through one flush
 *   (alloc_flush_ipis); CPU 1 never reads a reused frame (no report).
 * - A write fault in an mm with a pending lazy flush flushes first
 *   (mmlab_luf_mm_flush_ipis), once.
 *
 * - More mms than LUF's list holds (17 readers and a writer of one page):
 *   when LUF gives the folio back to the batched flush, every reader's mm
 *   counts that flush as pending; a read through an entry of the 16th, made
 *   between the unmap and the flush, is legal (no stale-TLB report).
 *
 * Cases that expect a stale report build and destroy their own machine (as
 * test_tlb.c's skip_flush cases), so that the harness's teardown, which fails
 * on any report, does not see it.
 */
/* the model's internals: one case stops reclaim between its unmap and its
 * batched flush (try_to_unmap, try_to_unmap_flush) */
#include "mm/swap.h"
#undef ARRAY_SIZE
#include "harness.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define RW		(PROT_READ | PROT_WRITE)
#define LUF_ENABLED	"/sys/kernel/mm/mmlab/luf/enabled"
#define LUF_UNSAFE	"/sys/kernel/mm/mmlab/luf/unsafe_skip_munmap_flush"

#define SEED_A		0xaaaa5eedULL
#define SEED_B		0xbbbb5eedULL
#define NPAGES		16
#define LEN		(NPAGES * PG)

enum mode { LUF_OFF, LUF_ON, LUF_UNSAFE_ON };
static const char *const mode_name[] = { "off", "on", "on+unsafe" };

static void luf_set(enum mode m)
{
	char buf[16] = "";

	assert_int_equal(mmlab_knob_set(LUF_ENABLED, m == LUF_OFF ? "0" : "1"), 0);
	assert_int_equal(mmlab_knob_set(LUF_UNSAFE, m == LUF_UNSAFE_ON ? "1" : "0"), 0);
	assert_true(mmlab_knob_get(LUF_ENABLED, buf, sizeof(buf)) >= 0);
	assert_int_equal(atoi(buf), m != LUF_OFF);
}

/* 4 CPUs, node 0 @fast_mib (node 1 @slow_mib when non-zero), swap. */
static void luf_machine(uint64_t fast_mib, uint64_t slow_mib, uint64_t swap_mib)
{
	struct mmlab_config cfg;

	machine_config(&cfg);
	cfg.node_bytes[0] = fast_mib * MiB;
	if (slow_mib) {
		cfg.nr_nodes = 2;
		cfg.node_bytes[1] = slow_mib * MiB;
		cfg.node_slow[1] = true;
		cfg.node_latency_ns[1] = 250;
	}
	machine_up_cfg(&cfg);
	assert_int_equal(mmlab_swapon(swap_mib * MiB), 0);
}

/* A memfd of @len holding mmlab_fill's pattern for @seed, written through
 * a temporary shared mapping that is gone again. */
static int memfd_filled(struct mmlab_proc *p, const char *name, uint64_t len,
			uint64_t seed)
{
	struct mmlab_task *t = mmlab_main_task(p);
	int fd = mmlab_memfd(p, name, len);
	uint64_t a = 0;

	assert_true(fd >= 0);
	assert_int_equal(mmlab_mmap(t, 0, len, RW, MAP_SHARED, fd, 0, &a), 0);
	fill_ok(t, a, len, seed);
	assert_int_equal(mmlab_munmap(t, a, len), 0);
	return fd;
}

static uint64_t map_file(struct mmlab_task *t, uint64_t addr, uint64_t len,
			 int prot, int fd)
{
	uint64_t out = 0;
	int flags = MAP_SHARED | (addr ? MAP_FIXED : 0);

	assert_int_equal(mmlab_mmap(t, addr, len, prot, flags, fd, 0, &out), 0);
	if (addr)
		assert_int_equal(out, addr);
	return out;
}

struct munmap_case {
	struct mmlab_proc *p;
	struct mmlab_task *t0, *t1;
	int f, g;
	uint64_t s;
	struct mmlab_proc *child;	/* forked before S is mapped, on request */
};

/*
 * Up to the lazy unmap: f mapped read-only at S, CPU 1 caches it, young bits
 * cleared (no flush, as x86), MADV_PAGEOUT from CPU 0.
 */
static void munmap_case_setup_fork(struct munmap_case *x, enum mode m, bool fork_child)
{
	uint64_t rcv0, def0, rcv, def;

	luf_machine(64, 0, 64);
	luf_set(m);
	x->p = spawn();
	x->t0 = mmlab_main_task(x->p);
	x->t1 = task_on(x->p, 1);
	x->f = memfd_filled(x->p, "f", LEN, SEED_A);
	x->g = memfd_filled(x->p, "g", LEN, SEED_B);
	x->child = NULL;
	if (fork_child)
		assert_int_equal(mmlab_fork(x->p, &x->child), 0);
	x->s = map_file(x->t0, 0, LEN, PROT_READ, x->f);
	verify_ok(x->t1, x->s, LEN, SEED_A);	/* CPU 1's TLB: read-only entries */
	assert_int_equal(mmlab_clear_refs(x->p, 1), 0);

	rcv0 = vmstat("nr_tlb_remote_flush_received");
	def0 = vmstat("mmlab_luf_deferred");
	assert_int_equal(mmlab_madvise(x->t0, x->s, LEN, MADV_PAGEOUT), 0);
	rcv = vmstat("nr_tlb_remote_flush_received") - rcv0;
	def = vmstat("mmlab_luf_deferred") - def0;
	print_message("luf %s: MADV_PAGEOUT: IPIs received %" PRIu64
		      ", deferred %" PRIu64 "\n", mode_name[m], rcv, def);
	/* every page was unmapped (RSS of the mapping is gone) */
	assert_int_equal(status_of(x->p).RssShmem, 0);
	if (m == LUF_OFF) {
		assert_int_equal(rcv, 1);	/* CPU 1, one batched flush */
		assert_int_equal(def, 0);
	} else {
		assert_int_equal(rcv, 0);	/* the flush is deferred */
		assert_int_equal(def, NPAGES);
	}
	assert_int_equal(vmstat("stale_tlb_reports"), 0);
}

static void munmap_case_setup(struct munmap_case *x, enum mode m)
{
	munmap_case_setup_fork(x, m, false);
}

static void munmap_case_down(struct munmap_case *x, enum mode m)
{
	uint64_t stale = vmstat("stale_tlb_reports");

	print_message("luf %s: stale_tlb_reports %" PRIu64 "\n", mode_name[m], stale);
	if (m == LUF_UNSAFE_ON)
		assert_true(stale > 0);		/* the detector caught the bug */
	else
		assert_int_equal(stale, 0);
	assert_int_equal(mmlab_knob_set(LUF_UNSAFE, "0"), 0);
	if (x->child)
		assert_int_equal(mmlab_exit(x->child), 0);
	assert_int_equal(mmlab_exit(x->p), 0);
	mmlab_machine_destroy();
}

/* LUF's munmap scenario: munmap, a new file at the same address. */
static void munmap_case(enum mode m)
{
	struct munmap_case x;
	uint64_t fl0, fl, fa = 0, bad = 0;
	int ret;

	munmap_case_setup(&x, m);
	fl0 = vmstat("mmlab_luf_mm_flush_ipis");
	assert_int_equal(mmlab_munmap(x.t0, x.s, LEN), 0);
	fl = vmstat("mmlab_luf_mm_flush_ipis") - fl0;
	/* safe: munmap paid the deferred flush (CPU 1 interrupted) */
	assert_int_equal(fl, m == LUF_ON ? 1 : 0);
	assert_int_equal(map_file(x.t0, x.s, LEN, PROT_READ, x.g), x.s);
	verify_ok(x.t0, x.s, LEN, SEED_B);
	ret = mmlab_verify(x.t1, x.s, LEN, SEED_B, &bad, &fa);
	print_message("luf %s: CPU 1 reads the new file: ret %d, first mismatch %#"
		      PRIx64 "\n", mode_name[m], ret, bad);
	if (m != LUF_UNSAFE_ON) {
		assert_int_equal(ret, 0);
		assert_int_equal(bad, UINT64_MAX);
	}
	munmap_case_down(&x, m);
}

/* The mprotect variant: PROT_NONE, CPU 1 touches S. */
static void mprotect_case(enum mode m)
{
	struct munmap_case x;
	uint64_t fl0, fl, fa = 0, v = 0;
	int ret;

	munmap_case_setup(&x, m);
	fl0 = vmstat("mmlab_luf_mm_flush_ipis");
	assert_int_equal(mmlab_mprotect(x.t0, x.s, LEN, PROT_NONE), 0);
	fl = vmstat("mmlab_luf_mm_flush_ipis") - fl0;
	assert_int_equal(fl, m == LUF_ON ? 1 : 0);
	ret = mmlab_read(x.t1, x.s + 3 * PG, &v, sizeof(v), &fa);
	print_message("luf %s: CPU 1 reads PROT_NONE: ret %d\n", mode_name[m], ret);
	if (m != LUF_UNSAFE_ON) {
		assert_int_equal(ret, MMLAB_SIGSEGV);
		assert_int_equal(fa, x.s + 3 * PG);
	}
	/* back to readable: the file's data, refaulted from swap */
	assert_int_equal(mmlab_mprotect(x.t0, x.s, LEN, PROT_READ), 0);
	if (m != LUF_UNSAFE_ON)
		verify_ok(x.t1, x.s, LEN, SEED_A);
	munmap_case_down(&x, m);
}

static void t_munmap_case_munmap_off(void **state) { (void)state; munmap_case(LUF_OFF); }
static void t_munmap_case_munmap_on(void **state) { (void)state; munmap_case(LUF_ON); }
static void t_munmap_case_munmap_unsafe(void **state) { (void)state; munmap_case(LUF_UNSAFE_ON); }
static void t_munmap_case_mprotect_off(void **state) { (void)state; mprotect_case(LUF_OFF); }
static void t_munmap_case_mprotect_on(void **state) { (void)state; mprotect_case(LUF_ON); }
static void t_munmap_case_mprotect_unsafe(void **state) { (void)state; mprotect_case(LUF_UNSAFE_ON); }

/* ---- LUF cuts IPIs ---- */

#define WL_PAGES	1024

struct ipis {
	uint64_t received, shootdowns, deferred;
};

/*
 * A read-only file mapping of WL_PAGES cached by four CPUs, then reclaimed
 * (@migrate false: MADV_PAGEOUT) or migrated to node 1 (@migrate true), then
 * read back by every CPU.  Returns the IPIs the unmap cost.
 */
static struct ipis readonly_workload(enum mode m, bool migrate)
{
	struct mmlab_proc *p;
	struct mmlab_task *t[4];
	struct ipis r;
	uint64_t a, rcv0, sd0, def0;
	int fd;

	luf_machine(64, migrate ? 64 : 0, 64);
	luf_set(m);
	p = spawn();
	t[0] = mmlab_main_task(p);
	for (int i = 1; i < 4; i++)
		t[i] = task_on(p, (unsigned int)i);
	fd = memfd_filled(p, "weights", WL_PAGES * PG, SEED_A);
	a = map_file(t[0], 0, WL_PAGES * PG, PROT_READ, fd);
	assert_int_equal(mmlab_madvise(t[0], a, WL_PAGES * PG, MADV_NOHUGEPAGE), 0);
	for (int i = 0; i < 4; i++)
		verify_ok(t[i], a, WL_PAGES * PG, SEED_A);
	assert_int_equal(mmlab_clear_refs(p, 1), 0);

	rcv0 = vmstat("nr_tlb_remote_flush_received");
	sd0 = vmstat("nr_tlb_remote_flush");
	def0 = vmstat("mmlab_luf_deferred");
	if (migrate) {
		assert_int_equal(mmlab_move_pages(p, a, WL_PAGES, 1), WL_PAGES);
		for (uint64_t i = 0; i < WL_PAGES; i += 97)
			assert_int_equal(mmlab_page_node(p, a + i * PG), 1);
	} else {
		assert_int_equal(mmlab_madvise(t[0], a, WL_PAGES * PG, MADV_PAGEOUT), 0);
		assert_int_equal(status_of(p).RssShmem, 0);
	}
	r.received = vmstat("nr_tlb_remote_flush_received") - rcv0;
	r.shootdowns = vmstat("nr_tlb_remote_flush") - sd0;
	r.deferred = vmstat("mmlab_luf_deferred") - def0;
	/* every CPU reads the data again: intact */
	for (int i = 0; i < 4; i++)
		verify_ok(t[i], a, WL_PAGES * PG, SEED_A);
	print_message("luf %s, %s of %d read-only pages cached by 4 CPUs: shootdowns %"
		      PRIu64 ", IPIs received %" PRIu64 ", deferred %" PRIu64 "\n",
		      mode_name[m], migrate ? "move_pages" : "MADV_PAGEOUT", WL_PAGES,
		      r.shootdowns, r.received, r.deferred);
	assert_int_equal(mmlab_exit(p), 0);
	machine_down();
	return r;
}

static void cuts_ipis(bool migrate)
{
	struct ipis off = readonly_workload(LUF_OFF, migrate);
	struct ipis on = readonly_workload(LUF_ON, migrate);

	assert_true(off.received >= 3);		/* CPUs 1-3, at least once */
	assert_int_equal(off.deferred, 0);
	assert_int_equal(on.received, 0);
	assert_int_equal(on.shootdowns, 0);
	assert_int_equal(on.deferred, WL_PAGES);
}

static void t_cuts_ipis_reclaim(void **state) { (void)state; cuts_ipis(false); }
static void t_cuts_ipis_migrate(void **state) { (void)state; cuts_ipis(true); }

/* ---- parked frames are flushed before reuse ---- */

static void t_parked_flushed_before_reuse(void **state)
{
	struct munmap_case x;
	struct mmlab_proc *h;
	uint64_t parked0, alloc0, mmfl0, rcv0, b, hog = 96 * MiB;

	(void)state;
	munmap_case_setup(&x, LUF_ON);
	/* the pages sit in the swap cache, unmapped; freed by reclaim below,
	 * they are parked (still owing CPU 1's flush) */
	parked0 = vmstat("mmlab_luf_parked");
	alloc0 = vmstat("mmlab_luf_alloc_flush_ipis");
	mmfl0 = vmstat("mmlab_luf_mm_flush_ipis");
	rcv0 = vmstat("nr_tlb_remote_flush_received");

	/* another process fills most of memory: the free lists run low and
	 * the parked frames come back, after one flush */
	h = spawn();
	b = map_anon(h, 0, hog, RW, 0);
	assert_int_equal(mmlab_madvise(mmlab_main_task(h), b, hog, MADV_NOHUGEPAGE), 0);
	fill_ok(mmlab_main_task(h), b, hog, 0x6060);
	print_message("fill after lazy unmap: parked %" PRIu64 ", alloc_flush_ipis %"
		      PRIu64 ", mm flush IPIs %" PRIu64 ", IPIs received %" PRIu64 "\n",
		      vmstat("mmlab_luf_parked") - parked0, vmstat("mmlab_luf_alloc_flush_ipis") - alloc0,
		      vmstat("mmlab_luf_mm_flush_ipis") - mmfl0,
		      vmstat("nr_tlb_remote_flush_received") - rcv0);
	/* CPU 1 kept p loaded and did nothing: only the allocator could have
	 * flushed its entries, or a flush of the whole mm */
	assert_true(vmstat("mmlab_luf_alloc_flush_ipis") - alloc0 +
		    vmstat("mmlab_luf_mm_flush_ipis") - mmfl0 > 0);
	/* CPU 1 reads S again: faults (its entries are gone), the file's data
	 * comes back from swap, and no access met a reused frame */
	verify_ok(x.t1, x.s, LEN, SEED_A);
	verify_ok(mmlab_main_task(h), b, hog, 0x6060);
	assert_int_equal(vmstat("stale_tlb_reports"), 0);
	assert_int_equal(mmlab_exit(h), 0);
	munmap_case_down(&x, LUF_ON);
}

/* Without memory pressure the frames stay parked, and a read through CPU 1's
 * stale entry is the detector's one allowed exception. */
static void t_parked_read_is_the_exception(void **state)
{
	struct munmap_case x;
	uint64_t rcv0;

	(void)state;
	munmap_case_setup(&x, LUF_ON);
	rcv0 = vmstat("nr_tlb_remote_flush_received");
	verify_ok(x.t1, x.s, LEN, SEED_A);
	assert_int_equal(vmstat("nr_tlb_remote_flush_received"), rcv0);
	assert_int_equal(vmstat("stale_tlb_reports"), 0);
	munmap_case_down(&x, LUF_ON);
}

/* ---- a write fault flushes only when an older copy may be cached ---- */

/*
 * CPU 1 caches f's pages through S; move_pages migrates them to node 1 with
 * the flush deferred (LUF): CPU 1 keeps entries of the old frames, the new
 * frames are copies.  A write fault on an unrelated anonymous page pays no
 * flush; a write to f through another mapping maps a copy
 * whose older frame CPU 1 may still read: that write fault flushes CPU 1
 * first, and CPU 1 then reads the new value.
 */
static void t_write_fault_flushes_first(void **state)
{
	struct mmlab_proc *p;
	struct mmlab_task *t0, *t1;
	uint64_t a, s, w, fl0, fl1, fl2, fl3, rcv0, def0;
	int f;

	(void)state;
	luf_machine(64, 64, 64);
	luf_set(LUF_ON);
	p = spawn();
	t0 = mmlab_main_task(p);
	t1 = task_on(p, 1);
	f = memfd_filled(p, "f", LEN, SEED_A);
	s = map_file(t0, 0, LEN, PROT_READ, f);
	w = map_file(t0, 0, LEN, RW, f);
	a = map_anon(p, 0, 4 * PG, RW, 0);
	verify_ok(t1, s, LEN, SEED_A);		/* CPU 1: read-only entries */
	rcv0 = vmstat("nr_tlb_remote_flush_received");
	def0 = vmstat("mmlab_luf_deferred");
	assert_int_equal(mmlab_move_pages(p, s, NPAGES, 1), NPAGES);
	assert_int_equal(mmlab_page_node(p, s), 1);
	assert_int_equal(vmstat("mmlab_luf_deferred") - def0, NPAGES);
	assert_int_equal(vmstat("nr_tlb_remote_flush_received"), rcv0);

	fl0 = vmstat("mmlab_luf_mm_flush_ipis");
	put64(t0, a, 0x1234);		/* a new anonymous page: no flush */
	fl1 = vmstat("mmlab_luf_mm_flush_ipis");
	put64(t0, w, 0x5678);		/* f's page 0, a copy: CPU 1 first */
	fl2 = vmstat("mmlab_luf_mm_flush_ipis");
	put64(t0, w + PG, 0x9abc);	/* CPU 1 flushed already */
	fl3 = vmstat("mmlab_luf_mm_flush_ipis");
	print_message("write faults: mm flush IPIs %" PRIu64 ", %" PRIu64 ", %" PRIu64 "\n",
		      fl1 - fl0, fl2 - fl1, fl3 - fl2);
	assert_int_equal(fl1 - fl0, 0);
	assert_int_equal(fl2 - fl1, 1);		/* CPU 1 */
	assert_int_equal(fl3 - fl2, 0);
	assert_int_equal(get64(t1, a), 0x1234);
	assert_int_equal(get64(t1, s), 0x5678);	/* not the stale copy */
	assert_int_equal(get64(t1, s + PG), 0x9abc);
	assert_int_equal(vmstat("stale_tlb_reports"), 0);
	assert_int_equal(mmlab_exit(p), 0);
	mmlab_machine_destroy();
}

/* A read fault does not pay the flush, nor a write fault elsewhere; the
 * pending flush stays pending until an operation at risk (munmap). */
static void t_read_fault_does_not_flush(void **state)
{
	struct munmap_case x;
	uint64_t a, fl0;

	(void)state;
	munmap_case_setup(&x, LUF_ON);
	a = map_anon(x.p, 0, 4 * PG, RW, 0);
	fl0 = vmstat("mmlab_luf_mm_flush_ipis");
	assert_int_equal(get64(x.t0, a), 0);
	verify_ok(x.t0, x.s, LEN, SEED_A);
	assert_int_equal(vmstat("mmlab_luf_mm_flush_ipis"), fl0);
	put64(x.t0, a, 1);
	assert_int_equal(vmstat("mmlab_luf_mm_flush_ipis"), fl0);
	assert_int_equal(mmlab_munmap(x.t0, x.s, LEN), 0);
	assert_int_equal(vmstat("mmlab_luf_mm_flush_ipis"), fl0 + 1);
	munmap_case_down(&x, LUF_ON);
}

/* LUF takes only folios whose PTEs were all read-only: a written anonymous
 * page is flushed at once, as without LUF. */
static void t_writable_not_deferred(void **state)
{
	struct mmlab_proc *p;
	struct mmlab_task *t1;
	uint64_t a, rcv0, def0;

	(void)state;
	luf_machine(64, 0, 64);
	luf_set(LUF_ON);
	p = spawn();
	t1 = task_on(p, 1);
	a = map_anon(p, 0, LEN, RW, 0);
	fill_ok(mmlab_main_task(p), a, LEN, SEED_A);
	verify_ok(t1, a, LEN, SEED_A);
	rcv0 = vmstat("nr_tlb_remote_flush_received");
	def0 = vmstat("mmlab_luf_deferred");
	assert_int_equal(mmlab_madvise(mmlab_main_task(p), a, LEN, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat("mmlab_luf_deferred"), def0);
	assert_true(vmstat("nr_tlb_remote_flush_received") > rcv0);
	verify_ok(t1, a, LEN, SEED_A);
	assert_int_equal(mmlab_exit(p), 0);
	machine_down();
}

/* ---- more mms than the unmap batch lists ---- */

#define BATCH_READERS	17	/* one more than LUF's list of mms holds */
#define BATCH_SEEN_TWICE 15	/* the 16th reader: the last slot of the list */

/*
 * One page of a file mapped read-only by BATCH_READERS processes, each of
 * them reading it on CPU 1 (the 16th on CPU 2 too), then mapped writable and
 * written by one more: LUF takes the readers' PTEs and, at the writer, hands
 * the folio back to the batched flush, which must then count as pending in
 * every reader's mm.  The unmap runs as kswapd's would (no CPU owned) and
 * stops before its batched flush; CPU 2 reads through the entry it still
 * holds.  That read is legal only while the 16th mm counts the batched flush
 * as pending (flush_tlb_batched_pending relies on the same count): the
 * stale-TLB detector reports it otherwise.
 */
static void t_batch_more_mms_than_slots(void **state)
{
	struct mmlab_proc *p, *c[BATCH_READERS + 1];
	struct mmlab_task *t2 = NULL;
	uint64_t a[BATCH_READERS + 1], fa = 0, stale0, stale, def0;
	struct page *folio;
	int fd;

	(void)state;
	luf_machine(64, 0, 64);
	luf_set(LUF_ON);
	p = spawn();
	fd = memfd_filled(p, "f", PG, SEED_A);
	for (int i = 0; i <= BATCH_READERS; i++) {
		struct mmlab_task *t;
		bool writer = i == BATCH_READERS;

		assert_int_equal(mmlab_fork(p, &c[i]), 0);
		a[i] = map_file(mmlab_main_task(c[i]), 0, PG, writer ? RW : PROT_READ, fd);
		t = task_on(c[i], 1);
		if (writer)
			put64(t, a[i], get64(t, a[i]));
		else
			assert_int_equal(mmlab_touch(t, a[i], PG, false, &fa), 0);
		if (i == BATCH_SEEN_TWICE) {
			t2 = task_on(c[i], 2);
			assert_int_equal(mmlab_touch(t2, a[i], PG, false, &fa), 0);
		}
	}
	folio = pfn_to_page(pfn_of(pm1(c[0], a[0])));
	get_page(folio);
	def0 = vmstat("mmlab_luf_deferred");
	folio_lock(folio);
	try_to_unmap(folio, TTU_BATCH_FLUSH);
	folio_unlock(folio);
	assert_false(folio_mapped(folio));
	/* the writer made LUF give up: the batched flush owns every PTE */
	assert_int_equal(vmstat("mmlab_luf_deferred"), def0);
	stale0 = vmstat("stale_tlb_reports");
	assert_int_equal(mmlab_touch(t2, a[BATCH_SEEN_TWICE], PG, false, &fa), 0);
	stale = vmstat("stale_tlb_reports") - stale0;
	try_to_unmap_flush();
	put_page(folio);
	print_message("luf on: %d mms in one unmap batch; read before its flush: %" PRIu64
		      " stale-TLB reports\n", BATCH_READERS + 1, stale);
	assert_int_equal(stale, 0);
	for (int i = 0; i <= BATCH_READERS; i++)
		assert_int_equal(mmlab_exit(c[i]), 0);
	assert_int_equal(mmlab_exit(p), 0);
	machine_down();
}

/* A failed assertion leaves its machine behind: the next test needs none. */
static int destroy_leftover(void **state)
{
	(void)state;
	mmlab_machine_destroy();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(t_munmap_case_munmap_off, destroy_leftover),
		cmocka_unit_test_teardown(t_munmap_case_munmap_on, destroy_leftover),
		cmocka_unit_test_teardown(t_munmap_case_munmap_unsafe, destroy_leftover),
		cmocka_unit_test_teardown(t_munmap_case_mprotect_off, destroy_leftover),
		cmocka_unit_test_teardown(t_munmap_case_mprotect_on, destroy_leftover),
		cmocka_unit_test_teardown(t_munmap_case_mprotect_unsafe, destroy_leftover),
		cmocka_unit_test_teardown(t_cuts_ipis_reclaim, destroy_leftover),
		cmocka_unit_test_teardown(t_cuts_ipis_migrate, destroy_leftover),
		cmocka_unit_test_teardown(t_parked_flushed_before_reuse, destroy_leftover),
		cmocka_unit_test_teardown(t_parked_read_is_the_exception, destroy_leftover),
		cmocka_unit_test_teardown(t_write_fault_flushes_first, destroy_leftover),
		cmocka_unit_test_teardown(t_read_fault_does_not_flush, destroy_leftover),
		cmocka_unit_test_teardown(t_writable_not_deferred, destroy_leftover),
		cmocka_unit_test_teardown(t_batch_more_mms_than_slots, destroy_leftover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
