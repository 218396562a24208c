/*
 * pagewalk.c - the generic page-table walker (mm/pagewalk.c): one walk
 * over [start, end) of an mm, VMA by VMA and level by level (PGD, the
 * folded P4D, PUD, PMD, PTE), calling the caller's mm_walk_ops at each
 * level.  madvise (FREE, COLD, PAGEOUT, guard regions), pagemap and
 * PAGEMAP_SCAN, smaps and clear_refs walk through it; the zap, mprotect's
 * change_protection, fork's copy and mremap's move keep their own loops,
 * as the kernel's do.
 *
 * What the walker does at each level is the kernel's: a none entry is a
 * hole (pte_hole with its depth); a PMD entry goes to pmd_entry, which
 * handles a PMD mapping itself (ACTION_CONTINUE) or lets the walker split
 * it and go down to its PTEs; a gap between VMAs is a hole at depth -1
 * with walk->vma NULL; test_walk decides per VMA.  With install_pte the
 * walk fills the range instead: missing tables are allocated and none
 * PTEs get install_pte's value (guard markers).
 *
 * Locks: the caller holds mmap_lock over the whole walk (for reading, or
 * for writing with PGWALK_WRLOCK), and the walker asserts it.  The upper
 * levels are read without locks (tables above the PTE level are freed
 * only with the mm).  pte_entry runs with the PTE table locked by
 * pte_offset_map_lock(); when that finds no table any more (page-table
 * reclaim, a zap or a collapse detached it after the PMD was read) the
 * PMD entry is looked at again: none then is a hole, a new table or a PMD
 * mapping is visited as such.  pmd_entry runs without the PMD lock.
 */
#include "pagewalk.h"
#include "swap.h"

/* The end of the entry of @size that holds @addr, or @end if sooner. */
static unsigned long entry_end(unsigned long addr, unsigned long end, unsigned long size)
{
	unsigned long boundary = (addr + size) & ~(size - 1);

	return boundary - 1 < end - 1 ? boundary : end;
}

static int walk_hole(unsigned long addr, unsigned long next, int depth, struct mm_walk *walk)
{
	return walk->ops->pte_hole ? walk->ops->pte_hole(addr, next, depth, walk) : 0;
}

/*
 * The PTEs of [addr, end) under their table's lock.  No table (it went
 * after the PMD was read): the PMD entry is to be looked at again, unless
 * it holds nothing a walk can enter (a non-present entry).
 */
static int walk_pte_range(pteval_t *pmd, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	spinlock_t *ptl;
	pteval_t *start_pte = pte_offset_map_lock(walk->mm, pmd, addr, &ptl), *pte;
	int err = 0;

	if (!start_pte) {
		pteval_t val = pte_read(pmd);

		if (pte_none(val) || pmd_leaf(val) || pte_hw_present(val))
			walk->action = ACTION_AGAIN;
		return 0;
	}
	for (pte = start_pte; addr < end; addr += PAGE_SIZE, pte++) {
		pteval_t new_pte;

		if (walk->ops->install_pte && pte_none(pte_read(pte))) {
			err = walk->ops->install_pte(addr, addr + PAGE_SIZE, &new_pte, walk);
			if (err)
				break;
			pte_write(pte, new_pte);
			continue;
		}
		if (walk->ops->pte_entry)
			err = walk->ops->pte_entry(pte, addr, addr + PAGE_SIZE, walk);
		if (err || walk->action == ACTION_AGAIN)
			break;
	}
	pte_unmap_unlock(start_pte, ptl);
	return err;
}

typedef int (*walk_entry_fn)(pteval_t *entry, unsigned long addr, unsigned long next,
			     struct mm_walk *walk);

/* A walk that installs fills the none entry @entry at @depth with a table. */
static int walk_alloc(pteval_t *entry, unsigned long addr, int depth, struct mm_walk *walk)
{
	switch (depth) {
	case 0:
		return pud_alloc(walk->mm, entry, addr) ? 0 : -ENOMEM;
	case 2:
		return pmd_alloc(walk->mm, entry, addr) ? 0 : -ENOMEM;
	default:
		return __pte_alloc(walk->mm, entry) ? -ENOMEM : 0;
	}
}

/*
 * One PGD, PUD or PMD entry at @depth: a none one is a hole (and is passed
 * by: ACTION_CONTINUE), or gets a table when the walk installs; then its
 * callback @fn, which may change walk->action from ACTION_SUBTREE.
 */
static int walk_entry(pteval_t *entry, unsigned long addr, unsigned long next, int depth,
		      walk_entry_fn fn, struct mm_walk *walk)
{
	walk->action = ACTION_SUBTREE;
	if (pte_none(pte_read(entry))) {
		if (!walk->ops->install_pte) {
			walk->action = ACTION_CONTINUE;
			return walk_hole(addr, next, depth, walk);
		}
		if (walk_alloc(entry, addr, depth, walk))
			return -ENOMEM;
	}
	return fn ? fn(entry, addr, next, walk) : 0;
}

static int walk_pmd_range(pteval_t *pud, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	unsigned long next;
	int err = 0;

	for (; addr < end && !err; addr = next) {
		pteval_t *pmd = pmd_offset(pud, addr);

		next = entry_end(addr, end, PMD_SIZE);
again:
		err = walk_entry(pmd, addr, next, 3, ops->pmd_entry, walk);
		if (!err && walk->action == ACTION_AGAIN)
			goto again;
		if (err || walk->action == ACTION_CONTINUE || !(ops->pte_entry || ops->install_pte))
			continue;
		/* split_huge_pmd: the PTEs of a PMD mapping are walked */
		if (pmd_leaf(pte_read(pmd)))
			__split_huge_pmd(walk->vma, pmd, addr);
		err = walk_pte_range(pmd, addr, next, walk);
		if (!err && walk->action == ACTION_AGAIN)
			goto again;
	}
	return err;
}

static int walk_pud_range(pteval_t *pgd, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	bool below = ops->pmd_entry || ops->pte_entry || ops->install_pte;
	unsigned long next;
	int err = 0;

	for (; addr < end && !err; addr = next) {
		pteval_t *pud = pud_offset(pgd, addr);

		next = entry_end(addr, end, PUD_SIZE);
		do
			err = walk_entry(pud, addr, next, 2, ops->pud_entry, walk);
		while (!err && walk->action == ACTION_AGAIN);
		if (!err && walk->action == ACTION_SUBTREE && below)
			err = walk_pmd_range(pud, addr, next, walk);
	}
	return err;
}

/* 4-level paging: the P4D level is folded into the PGD, its one entry is
 * the PGD entry (p4d_offset returns it). */
static int walk_p4d_range(pteval_t *pgd, unsigned long addr, unsigned long end,
			  struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	int err = 0;

	if (ops->p4d_entry)
		err = ops->p4d_entry(pgd, addr, end, walk);
	if (!err && (ops->pud_entry || ops->pmd_entry || ops->pte_entry || ops->install_pte))
		err = walk_pud_range(pgd, addr, end, walk);
	return err;
}

static int walk_pgd_range(unsigned long addr, unsigned long end, struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	bool below = ops->p4d_entry || ops->pud_entry || ops->pmd_entry || ops->pte_entry ||
		     ops->install_pte;
	unsigned long next;
	int err = 0;

	for (; addr < end && !err; addr = next) {
		pteval_t *pgd = pgd_offset(walk->mm, addr);

		next = entry_end(addr, end, PGDIR_SIZE);
		err = walk_entry(pgd, addr, next, 0, ops->pgd_entry, walk);
		if (!err && walk->action != ACTION_CONTINUE && below)
			err = walk_p4d_range(pgd, addr, next, walk);
	}
	return err;
}

/* test_walk's word on walk->vma: 0 walk it, 1 skip it, < 0 an error. */
static int walk_page_test(unsigned long start, unsigned long end, struct mm_walk *walk)
{
	return walk->ops->test_walk ? walk->ops->test_walk(start, end, walk) : 0;
}

static int __walk_page_range(unsigned long start, unsigned long end, struct mm_walk *walk)
{
	const struct mm_walk_ops *ops = walk->ops;
	int err = 0;

	if (ops->pre_vma) {
		err = ops->pre_vma(start, end, walk);
		if (err)
			return err;
	}
	err = walk_pgd_range(start, end, walk);
	if (ops->post_vma)
		ops->post_vma(walk);
	return err;
}

/* The caller's mmap_lock, as the walk needs it (mmap_assert_locked). */
static void process_mm_walk_lock(struct mm_struct *mm, enum page_walk_lock walk_lock)
{
	if (walk_lock == PGWALK_WRLOCK)
		VM_BUG_ON(!rwsem_is_write_locked(&mm->mmap_lock));
	else
		VM_BUG_ON(!rwsem_is_locked(&mm->mmap_lock));
}

/*
 * walk_page_range: every VMA of [start, end) in @mm with @ops (gaps
 * between them go to pte_hole with walk->vma NULL).  0, -EINVAL for an
 * empty range, or the first non-zero return of a callback.
 */
int walk_page_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		    const struct mm_walk_ops *ops, void *private)
{
	struct mm_walk walk = { .ops = ops, .mm = mm, .private = private };
	struct vm_area_struct *vma;
	unsigned long next;
	int err = 0;

	if (start >= end || !mm)
		return -EINVAL;
	process_mm_walk_lock(mm, ops->walk_lock);
	vma = find_vma(mm, start);
	do {
		if (!vma || start < vma->vm_start) {
			/* after the last VMA, or before the next one */
			walk.vma = NULL;
			next = vma ? min(end, vma->vm_start) : end;
			err = walk_hole(start, next, -1, &walk);
		} else {
			walk.vma = vma;
			next = min(end, vma->vm_end);
			vma = find_vma(mm, vma->vm_end);
			err = walk_page_test(start, next, &walk);
			if (err > 0) {
				err = 0;	/* skipped */
				continue;
			}
			if (err < 0)
				break;
			err = __walk_page_range(start, next, &walk);
		}
		if (err)
			break;
	} while (start = next, start < end);
	return err;
}

/* [start, end) of one VMA (mmap_lock held): no holes between VMAs. */
int walk_page_range_vma(struct vm_area_struct *vma, unsigned long start,
			unsigned long end, const struct mm_walk_ops *ops, void *private)
{
	struct mm_walk walk = { .ops = ops, .mm = vma->vm_mm, .vma = vma, .private = private };
	int err;

	if (start >= end || start < vma->vm_start || end > vma->vm_end)
		return -EINVAL;
	process_mm_walk_lock(walk.mm, ops->walk_lock);
	err = walk_page_test(start, end, &walk);
	if (err > 0)
		return 0;
	if (err < 0)
		return err;
	return __walk_page_range(start, end, &walk);
}

int walk_page_vma(struct vm_area_struct *vma, const struct mm_walk_ops *ops, void *private)
{
	return walk_page_range_vma(vma, vma->vm_start, vma->vm_end, ops, private);
}
