/*
 * test_pagewalk.c - the generic page walker (src/mm/pagewalk.c) on the
 * model: what walk_page_range() visits (PTEs under their table, holes at
 * their depth, gaps between VMAs), test_walk's skip and error, a PMD entry
 * passed by, and a PTE table that vanishes between the PMD read and the
 * PTE lock (page-table reclaim's zap): the walker looks at the PMD again
 * and reports the range as the hole it now is.
 *
 * The range: VMA A = [BASE, BASE + 2 PMDs), a gap of one PMD, VMA B =
 * [BASE + 3 PMDs, BASE + 4 PMDs), small pages only.  A's first PMD range
 * is written whole, its second not at all; B has one written page.
 */
#include "harness.h"
#include "mm/pagewalk.h"
#include "mm/swap.h"

#define PMD	MMLAB_PMD_SIZE
#define BASE	DIFF_BASE
#define RW	(PROT_READ | PROT_WRITE)
#define PAF	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

struct seen {
	unsigned long ptes, present, pmds;
	unsigned long hole_pages[5];		/* by depth + 1: -1 .. 3 */
	unsigned long hole_pages_no_vma;
	unsigned long pte_calls_in_first_pmd;
	bool zap_first_pmd;			/* pmd_entry zaps it (once) */
	bool skip_b, fail_b, continue_pmds;
};

static struct mmlab_proc *setup(void)
{
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t out;

	machine_up_cfg(NULL);
	assert_int_equal(mmlab_spawn(&p), 0);
	t = mmlab_main_task(p);
	assert_int_equal(mmlab_mmap(t, BASE, 2 * PMD, RW, PAF, -1, 0, &out), 0);
	assert_int_equal(mmlab_mmap(t, BASE + 3 * PMD, PMD, RW, PAF, -1, 0, &out), 0);
	assert_int_equal(mmlab_madvise(t, BASE, 2 * PMD, MADV_NOHUGEPAGE), 0);
	assert_int_equal(mmlab_madvise(t, BASE + 3 * PMD, PMD, MADV_NOHUGEPAGE), 0);
	fill_ok(t, BASE, PMD, 1);
	fill_ok(t, BASE + 3 * PMD, PG, 2);
	return p;
}

static void zap_range(struct vm_area_struct *v, unsigned long start, unsigned long end)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, v->vm_mm, false);
	unmap_page_range(&tlb, v, start, end, &(struct zap_details){ .reclaim_pt = true });
	tlb_finish_mmu(&tlb);
}

static int count_pmd_entry(pteval_t *pmd, unsigned long addr, unsigned long next,
			   struct mm_walk *walk)
{
	struct seen *s = walk->private;

	(void)pmd;
	s->pmds++;
	if (s->zap_first_pmd && addr == BASE) {
		/* the table goes after the walker read the PMD */
		s->zap_first_pmd = false;
		zap_range(walk->vma, addr, next);
	}
	if (s->continue_pmds)
		walk->action = ACTION_CONTINUE;
	return 0;
}

static int count_pte_entry(pteval_t *pte, unsigned long addr, unsigned long next,
			   struct mm_walk *walk)
{
	struct seen *s = walk->private;

	(void)next;
	s->ptes++;
	if (addr < BASE + PMD)
		s->pte_calls_in_first_pmd++;
	if (pte_present(pte_read(pte)))
		s->present++;
	return 0;
}

static int count_pte_hole(unsigned long addr, unsigned long next, int depth,
			  struct mm_walk *walk)
{
	struct seen *s = walk->private;

	assert_true(depth >= -1 && depth <= 3);
	s->hole_pages[depth + 1] += (next - addr) / PG;
	if (!walk->vma)
		s->hole_pages_no_vma += (next - addr) / PG;
	return 0;
}

static int count_test_walk(unsigned long start, unsigned long end, struct mm_walk *walk)
{
	struct seen *s = walk->private;

	(void)end;
	if (start < BASE + 3 * PMD)
		return 0;
	return s->fail_b ? -EPERM : s->skip_b;
}

static const struct mm_walk_ops count_ops = {
	.pmd_entry = count_pmd_entry,
	.pte_entry = count_pte_entry,
	.pte_hole = count_pte_hole,
	.test_walk = count_test_walk,
	.walk_lock = PGWALK_RDLOCK,
};

/* Walk the whole range from the process's CPU, mmap_lock held. */
static int walk(struct mmlab_proc *p, struct seen *s)
{
	int ret;

	task_enter(p->main);
	down_read(&p->mm->mmap_lock);
	ret = walk_page_range(p->mm, BASE, BASE + 4 * PMD, &count_ops, s);
	up_read(&p->mm->mmap_lock);
	task_leave(p->main);
	return ret;
}

static void t_walk_visits(void **state)
{
	struct mmlab_proc *p = setup();
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(walk(p, &s), 0);
	assert_int_equal(s.pmds, 2);			/* A's first, B's */
	assert_int_equal(s.ptes, 2 * 512);		/* every PTE of both tables */
	assert_int_equal(s.present, 512 + 1);
	assert_int_equal(s.hole_pages[3 + 1], 512);	/* A's second PMD range */
	assert_int_equal(s.hole_pages_no_vma, 512);	/* the gap */
	assert_int_equal(s.hole_pages[-1 + 1], 512);
	machine_down();
}

static void t_walk_test_walk(void **state)
{
	struct mmlab_proc *p = setup();
	struct seen s = { .skip_b = true };

	(void)state;
	assert_int_equal(walk(p, &s), 0);
	assert_int_equal(s.ptes, 512);			/* B skipped */
	assert_int_equal(s.present, 512);
	s = (struct seen){ .fail_b = true };
	assert_int_equal(walk(p, &s), -EPERM);
	assert_int_equal(s.ptes, 512);			/* A walked before */
	machine_down();
}

static void t_walk_action_continue(void **state)
{
	struct mmlab_proc *p = setup();
	struct seen s = { .continue_pmds = true };

	(void)state;
	assert_int_equal(walk(p, &s), 0);
	assert_int_equal(s.pmds, 2);
	assert_int_equal(s.ptes, 0);
	machine_down();
}

/* The table of A's first PMD range is freed under the walker (after the
 * PMD was read, before the PTE lock): no PTE of it is visited, the range
 * is a hole, and the walk goes on. */
static void t_walk_table_vanishes(void **state)
{
	struct mmlab_proc *p = setup();
	struct mmlab_status st0, st1;
	struct seen s = { .zap_first_pmd = true };

	(void)state;
	assert_int_equal(mmlab_status(p, &st0), 0);
	assert_int_equal(walk(p, &s), 0);
	assert_int_equal(mmlab_status(p, &st1), 0);
	assert_int_equal((int64_t)st1.VmPTE - (int64_t)st0.VmPTE, -4);	/* it went */
	assert_int_equal(s.pte_calls_in_first_pmd, 0);
	assert_int_equal(s.hole_pages[3 + 1], 2 * 512);	/* it, and A's second */
	assert_int_equal(s.ptes, 512);			/* B's table */
	assert_int_equal(s.present, 1);
	machine_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_walk_visits),
		cmocka_unit_test(t_walk_test_walk),
		cmocka_unit_test(t_walk_action_continue),
		cmocka_unit_test(t_walk_table_vanishes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
