/*
 * pagewalk.h - the generic page-table walker (the kernel's
 * include/linux/pagewalk.h): a caller describes what it does at each level
 * of the tables in a struct mm_walk_ops and walk_page_range() or
 * walk_page_vma() visits [start, end) with it.  See pagewalk.c.
 */
#ifndef MMLAB_MM_PAGEWALK_H
#define MMLAB_MM_PAGEWALK_H

#include "internal.h"

struct mm_walk;

/* Which lock the caller holds over the walk; the walker asserts it. */
enum page_walk_lock {
	PGWALK_RDLOCK,		/* mmap_lock for reading (or writing) */
	PGWALK_WRLOCK,		/* mmap_lock for writing */
};

/*
 * Callbacks, each optional.  @next is the end of the part the entry covers.
 * A non-zero return ends the walk with that value, except test_walk's
 * positive one (skip this VMA, the walk goes on with 0).
 *
 * pgd_entry, p4d_entry (the folded level of 4-level paging: it is given
 * the PGD entry), pud_entry: a present entry, before the walk goes below it.
 * pmd_entry: every PMD entry that is not none (a table, a PMD mapping or a
 *	non-present entry), called without its lock: one that handles a PMD
 *	mapping takes the PMD lock itself and sets walk->action to
 *	ACTION_CONTINUE; left at ACTION_SUBTREE, a PMD mapping is split
 *	(__split_huge_pmd) and its PTEs walked.
 * pte_entry: one PTE, the PTE table locked (pte_offset_map_lock).  It may
 *	set walk->action to ACTION_AGAIN to leave the table at once: the
 *	walker unlocks it and visits the PMD entry again (pmd_entry first).
 * pte_hole: [addr, next) has nothing at @depth (0 PGD, 1 P4D, 2 PUD,
 *	3 PMD; -1 outside any VMA, walk->vma NULL).
 * test_walk: a VMA about to be walked: 0 walk it, 1 skip it, < 0 end.
 * pre_vma, post_vma: around the walk of each VMA that test_walk allowed.
 * install_pte: with it the walk fills what is missing: a none PGD, PUD or
 *	PMD entry gets a table (-ENOMEM ends the walk), and a none PTE the
 *	value install_pte puts in *pte (the PTE table locked); pte_entry then
 *	sees only the PTEs that were not none.
 */
struct mm_walk_ops {
	int (*pgd_entry)(pteval_t *pgd, unsigned long addr, unsigned long next,
			 struct mm_walk *walk);
	int (*p4d_entry)(pteval_t *p4d, unsigned long addr, unsigned long next,
			 struct mm_walk *walk);
	int (*pud_entry)(pteval_t *pud, unsigned long addr, unsigned long next,
			 struct mm_walk *walk);
	int (*pmd_entry)(pteval_t *pmd, unsigned long addr, unsigned long next,
			 struct mm_walk *walk);
	int (*pte_entry)(pteval_t *pte, unsigned long addr, unsigned long next,
			 struct mm_walk *walk);
	int (*pte_hole)(unsigned long addr, unsigned long next, int depth,
			struct mm_walk *walk);
	int (*test_walk)(unsigned long addr, unsigned long next, struct mm_walk *walk);
	int (*pre_vma)(unsigned long start, unsigned long end, struct mm_walk *walk);
	void (*post_vma)(struct mm_walk *walk);
	int (*install_pte)(unsigned long addr, unsigned long next, pteval_t *pte,
			   struct mm_walk *walk);
	enum page_walk_lock walk_lock;
};

/* What the walker does after pud_entry/pmd_entry (and pte_entry: AGAIN). */
enum page_walk_action {
	ACTION_SUBTREE = 0,	/* walk the entries below this one */
	ACTION_CONTINUE = 1,	/* done with this entry: go to the next */
	ACTION_AGAIN = 2,	/* look at this entry again */
};

struct mm_walk {
	const struct mm_walk_ops *ops;
	struct mm_struct *mm;
	struct vm_area_struct *vma;	/* NULL in a hole between VMAs */
	enum page_walk_action action;
	void *private;
};

int walk_page_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		    const struct mm_walk_ops *ops, void *private);
int walk_page_range_vma(struct vm_area_struct *vma, unsigned long start,
			unsigned long end, const struct mm_walk_ops *ops, void *private);
int walk_page_vma(struct vm_area_struct *vma, const struct mm_walk_ops *ops,
		  void *private);

#endif
