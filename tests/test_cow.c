/*
 * test_cow.c - fork and copy-on-write: the exclusivity table, read through
 * pagemap (present, PM_MMAP_EXCLUSIVE, PFN).
 *
 * The kernel's rules: after fork both processes map the same page, neither
 * exclusively.  The first to write gets a copy; the other is then the only
 * mapper (pagemap shows it exclusive at once) and its next write reuses the
 * page without a copy.  When the child exits, the parent's pages are
 * exclusive again and reused on write.  Reads never copy.  The data of both
 * stay intact throughout; nr_anon_pages counts each page once.
 *
 * The cost clock charges the work: a page clear for a zeroed allocation, a
 * page copy for a private copy of a file page.
 */
#include "hw/cost.h"
#include "harness.h"

#define RW	(PROT_READ | PROT_WRITE)
#define NP	8

struct cow {
	struct mmlab_proc *p, *c;
	struct mmlab_task *pt, *ct;
	uint64_t a;
	uint64_t pfn[NP];	/* the parent's PFNs before fork */
	uint64_t anon0;		/* nr_anon_pages after spawn, before the mapping */
	uint64_t rss0;		/* the parent's RssAnon then (its stack) */
};

static void present_excl(struct mmlab_proc *p, uint64_t addr, bool excl)
{
	uint64_t e = pm1(p, addr);

	if (!(e & MMLAB_PM_PRESENT))
		fail_msg("pid %d %#" PRIx64 ": not present (pagemap %#" PRIx64 ")",
			 mmlab_pid(p), addr, e);
	if (!!(e & MMLAB_PM_MMAP_EXCLUSIVE) != excl)
		fail_msg("pid %d %#" PRIx64 ": exclusive=%d, want %d (pagemap %#" PRIx64 ")",
			 mmlab_pid(p), addr, !!(e & MMLAB_PM_MMAP_EXCLUSIVE), excl, e);
	if (e & (MMLAB_PM_FILE | MMLAB_PM_SWAP))
		fail_msg("%#" PRIx64 ": file/swap bit set (pagemap %#" PRIx64 ")", addr, e);
	if (!pfn_of(e))
		fail_msg("%#" PRIx64 ": no PFN in pagemap", addr);
}

static uint64_t pg(struct cow *s, int i)
{
	return s->a + (uint64_t)i * PG;
}

/* Parent with NP written pages, forked. */
static void cow_setup(struct cow *s)
{
	int i;

	s->p = spawn();
	s->pt = mmlab_main_task(s->p);
	s->anon0 = vmstat("nr_anon_pages");
	s->rss0 = status_of(s->p).RssAnon;
	s->a = map_anon(s->p, 0, NP * PG, RW, 0);
	fill_ok(s->pt, s->a, NP * PG, 100);
	for (i = 0; i < NP; i++) {
		present_excl(s->p, pg(s, i), true);
		s->pfn[i] = pfn_of(pm1(s->p, pg(s, i)));
	}
	assert_int_equal(mmlab_fork(s->p, &s->c), 0);
	s->ct = mmlab_main_task(s->c);
}

static void t_after_fork_shared(void **state)
{
	uint64_t anon00 = vmstat("nr_anon_pages"), anon0;
	struct cow s;
	int i;

	cow_setup(&s);
	anon0 = s.anon0;
	assert_int_equal(vmstat("nr_anon_pages"), anon0 + NP);
	for (i = 0; i < NP; i++) {
		present_excl(s.p, pg(&s, i), false);
		present_excl(s.c, pg(&s, i), false);
		assert_int_equal(pfn_of(pm1(s.p, pg(&s, i))), s.pfn[i]);
		assert_int_equal(pfn_of(pm1(s.c, pg(&s, i))), s.pfn[i]);
	}
	assert_int_equal(status_of(s.p).RssAnon, s.rss0 + NP * 4);
	assert_int_equal(status_of(s.c).RssAnon, s.rss0 + NP * 4);
	verify_ok(s.ct, s.a, NP * PG, 100);
	verify_ok(s.pt, s.a, NP * PG, 100);
	/* Reads copied nothing. */
	for (i = 0; i < NP; i++) {
		present_excl(s.p, pg(&s, i), false);
		assert_int_equal(pfn_of(pm1(s.c, pg(&s, i))), s.pfn[i]);
	}
	assert_int_equal(vmstat("nr_anon_pages"), anon0 + NP);
	assert_int_equal(mmlab_exit(s.c), 0);
	assert_int_equal(mmlab_exit(s.p), 0);
	assert_int_equal(vmstat("nr_anon_pages"), anon00);
}

/* Child writes first: child copies, parent exclusive again, reuses. */
static void t_child_writes_first(void **state)
{
	uint64_t anon00 = vmstat("nr_anon_pages"), anon0;
	uint64_t cp;
	struct cow s;

	cow_setup(&s);
	anon0 = s.anon0;
	put64(s.ct, pg(&s, 0), 0xc0);
	present_excl(s.c, pg(&s, 0), true);
	cp = pfn_of(pm1(s.c, pg(&s, 0)));
	assert_true(cp != s.pfn[0]);
	assert_int_equal(vmstat("nr_anon_pages"), anon0 + NP + 1);
	/* The parent is the only mapper now. */
	present_excl(s.p, pg(&s, 0), true);
	assert_int_equal(pfn_of(pm1(s.p, pg(&s, 0))), s.pfn[0]);
	/* Its write reuses the page: no copy. */
	put64(s.pt, pg(&s, 0), 0xa0);
	present_excl(s.p, pg(&s, 0), true);
	assert_int_equal(pfn_of(pm1(s.p, pg(&s, 0))), s.pfn[0]);
	assert_int_equal(vmstat("nr_anon_pages"), anon0 + NP + 1);
	/* A second write by the child reuses its copy. */
	put64(s.ct, pg(&s, 0) + 8, 0xc1);
	assert_int_equal(pfn_of(pm1(s.c, pg(&s, 0))), cp);
	/* Data: each sees its own writes, the rest of the page is the fill. */
	assert_int_equal(get64(s.ct, pg(&s, 0)), 0xc0);
	assert_int_equal(get64(s.ct, pg(&s, 0) + 8), 0xc1);
	assert_int_equal(get64(s.pt, pg(&s, 0)), 0xa0);
	verify_ok(s.pt, pg(&s, 0) + 8, PG - 8, 100);
	verify_ok(s.ct, pg(&s, 0) + 16, PG - 16, 100);
	verify_ok(s.pt, pg(&s, 1), (NP - 1) * PG, 100);
	verify_ok(s.ct, pg(&s, 1), (NP - 1) * PG, 100);
	/* Untouched pages are still shared. */
	present_excl(s.p, pg(&s, 1), false);
	present_excl(s.c, pg(&s, 1), false);
	assert_int_equal(mmlab_exit(s.c), 0);
	assert_int_equal(mmlab_exit(s.p), 0);
	assert_int_equal(vmstat("nr_anon_pages"), anon00);
}

/* Parent writes first: parent copies, the child's page is exclusive. */
static void t_parent_writes_first(void **state)
{
	struct cow s;
	uint64_t np;

	cow_setup(&s);
	put64(s.pt, pg(&s, 2), 0xa2);
	present_excl(s.p, pg(&s, 2), true);
	np = pfn_of(pm1(s.p, pg(&s, 2)));
	assert_true(np != s.pfn[2]);
	present_excl(s.c, pg(&s, 2), true);
	assert_int_equal(pfn_of(pm1(s.c, pg(&s, 2))), s.pfn[2]);
	put64(s.ct, pg(&s, 2), 0xc2);
	assert_int_equal(pfn_of(pm1(s.c, pg(&s, 2))), s.pfn[2]);
	assert_int_equal(pfn_of(pm1(s.p, pg(&s, 2))), np);
	assert_int_equal(get64(s.pt, pg(&s, 2)), 0xa2);
	assert_int_equal(get64(s.ct, pg(&s, 2)), 0xc2);
	verify_ok(s.pt, pg(&s, 2) + 8, PG - 8, 100);
	verify_ok(s.ct, pg(&s, 2) + 8, PG - 8, 100);
	assert_int_equal(mmlab_exit(s.c), 0);
	assert_int_equal(mmlab_exit(s.p), 0);
}

/* Child exits without writing: the parent's pages are exclusive again. */
static void t_child_exits(void **state)
{
	uint64_t anon0;
	struct cow s;
	int i;

	cow_setup(&s);
	anon0 = s.anon0;
	put64(s.ct, pg(&s, 5), 0xc5);	/* one child copy, freed at exit */
	assert_int_equal(mmlab_exit(s.c), 0);
	assert_int_equal(vmstat("nr_anon_pages"), anon0 + NP);
	for (i = 0; i < NP; i++) {
		present_excl(s.p, pg(&s, i), true);
		assert_int_equal(pfn_of(pm1(s.p, pg(&s, i))), s.pfn[i]);
	}
	/* Written again without a copy. */
	fill_ok(s.pt, s.a, NP * PG, 101);
	for (i = 0; i < NP; i++) {
		present_excl(s.p, pg(&s, i), true);
		assert_int_equal(pfn_of(pm1(s.p, pg(&s, i))), s.pfn[i]);
	}
	assert_int_equal(vmstat("nr_anon_pages"), anon0 + NP);
	verify_ok(s.pt, s.a, NP * PG, 101);
	assert_int_equal(mmlab_exit(s.p), 0);
}

/* Three sharers: one copy leaves the other two sharing. */
static void t_three_sharers(void **state)
{
	struct cow s;
	struct mmlab_proc *g;
	struct mmlab_task *gt;

	cow_setup(&s);
	assert_int_equal(mmlab_fork(s.c, &g), 0);
	gt = mmlab_main_task(g);
	assert_int_equal(pfn_of(pm1(g, pg(&s, 3))), s.pfn[3]);
	present_excl(g, pg(&s, 3), false);
	put64(s.ct, pg(&s, 3), 0xc3);
	present_excl(s.c, pg(&s, 3), true);
	present_excl(s.p, pg(&s, 3), false);
	present_excl(g, pg(&s, 3), false);
	assert_int_equal(pfn_of(pm1(g, pg(&s, 3))), s.pfn[3]);
	/* Parent writes: the page is still shared with g, so it copies. */
	put64(s.pt, pg(&s, 3), 0xa3);
	assert_true(pfn_of(pm1(s.p, pg(&s, 3))) != s.pfn[3]);
	present_excl(g, pg(&s, 3), true);
	put64(gt, pg(&s, 3), 0xd3);
	assert_int_equal(pfn_of(pm1(g, pg(&s, 3))), s.pfn[3]);
	assert_int_equal(get64(s.pt, pg(&s, 3)), 0xa3);
	assert_int_equal(get64(s.ct, pg(&s, 3)), 0xc3);
	assert_int_equal(get64(gt, pg(&s, 3)), 0xd3);
	verify_ok(gt, pg(&s, 4), 4 * PG, 100);
	assert_int_equal(mmlab_exit(s.c), 0);
	/* The grandchild outlives its parent; pages shared with p stay so. */
	present_excl(g, pg(&s, 4), false);
	assert_int_equal(mmlab_exit(g), 0);
	present_excl(s.p, pg(&s, 4), true);
	assert_int_equal(mmlab_exit(s.p), 0);
}

/* Pages that were never touched are not present in either. */
static void t_untouched_and_dontneed(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, 4 * PG, RW, 0);

	put64(t, a, 1);
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_false(pm1(p, a + PG) & MMLAB_PM_PRESENT);
	assert_false(pm1(c, a + PG) & MMLAB_PM_PRESENT);
	/* The child drops its mapping: the parent's page is exclusive. */
	assert_int_equal(mmlab_madvise(mmlab_main_task(c), a, PG, MADV_DONTNEED), 0);
	assert_false(pm1(c, a) & MMLAB_PM_PRESENT);
	present_excl(p, a, true);
	assert_int_equal(get64(mmlab_main_task(c), a), 0);
	assert_int_equal(get64(t, a), 1);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A write through mprotect(RW) after fork copies too. */
static void t_readonly_then_rw(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, 2 * PG, RW, 0), pfn;

	fill_ok(t, a, 2 * PG, 7);
	pfn = pfn_of(pm1(p, a));
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(mmlab_mprotect(mmlab_main_task(c), a, 2 * PG, PROT_READ), 0);
	assert_int_equal(mmlab_mprotect(mmlab_main_task(c), a, 2 * PG, RW), 0);
	put64(mmlab_main_task(c), a, 5);
	assert_true(pfn_of(pm1(c, a)) != pfn);
	assert_int_equal(pfn_of(pm1(p, a)), pfn);
	verify_ok(t, a, 2 * PG, 7);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* ---- the cost clock ---- */

/* Cycles CPU 0's clock advanced by while @t wrote (@write) or read the
 * first word at @addr (a page fault each time). */
static uint64_t fault_cycles(struct mmlab_task *t, uint64_t addr, bool write)
{
	uint64_t c0 = mmlab_cpu_cycles(0), v = 0, fa = 0;

	if (write)
		put64(t, addr, 1);
	else
		assert_int_equal(mmlab_read(t, addr, &v, sizeof(v), &fa), 0);
	return mmlab_cpu_cycles(0) - c0;
}

/*
 * The clock charges clearing and copying a page (the cost table's
 * page_zero and page_copy): a read fault that allocates a zeroed page
 * (forbids_zeropage) costs at least a page clear more than one that maps
 * the zero page; a write fault on a private file mapping (a copy of the
 * page-cache page) at least a page copy more than the same on a shared one.
 */
static void t_cost_clock_zero_and_copy(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, 4 * PG, RW, 0), s = 0, v = 0;
	uint64_t zp, zeroed, shared, private;
	int fd = mmlab_memfd(p, "cost", 4 * PG);

	assert_true(fd >= 0);
	/* first faults in each VMA allocate its page table (zeroed) and the
	 * private one's anon_vma: those are not measured */
	fault_cycles(t, a + 3 * PG, false);
	zp = fault_cycles(t, a, false);
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/forbids_zeropage", "1"), 0);
	zeroed = fault_cycles(t, a + 2 * PG, false);
	assert_int_equal(mmlab_knob_set("/sys/kernel/mm/mmlab/forbids_zeropage", "0"), 0);
	assert_int_equal(mmlab_mmap(t, 0, 4 * PG, RW, MAP_SHARED, fd, 0, &s), 0);
	fill_ok(t, s, 4 * PG, 7);
	assert_int_equal(mmlab_munmap(t, s, 4 * PG), 0);
	assert_int_equal(mmlab_mmap(t, 0, 4 * PG, RW, MAP_SHARED, fd, 0, &s), 0);
	assert_int_equal(mmlab_mmap(t, 0, 4 * PG, RW, MAP_PRIVATE, fd, 0, &v), 0);
	fault_cycles(t, s + 3 * PG, true);
	fault_cycles(t, v + 3 * PG, true);
	shared = fault_cycles(t, s + 2 * PG, true);
	private = fault_cycles(t, v + 2 * PG, true);
	print_message("cycles: read fault, zero page %" PRIu64 ", zeroed page %" PRIu64
		      "; write fault, shared file %" PRIu64 ", private copy %" PRIu64 "\n",
		      zp, zeroed, shared, private);
	assert_true(zeroed >= zp + cost_table[COST_PAGE_ZERO].cycles);
	assert_true(private >= shared + cost_table[COST_PAGE_COPY].cycles);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_machine, teardown_machine)
	const struct CMUnitTest tests[] = {
		T(t_after_fork_shared),
		T(t_child_writes_first),
		T(t_parent_writes_first),
		T(t_child_exits),
		T(t_three_sharers),
		T(t_untouched_and_dontneed),
		T(t_readonly_then_rw),
		T(t_cost_clock_zero_and_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
