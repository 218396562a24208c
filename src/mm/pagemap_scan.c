/*
 * pagemap_scan.c - the PAGEMAP_SCAN ioctl of /proc/PID/pagemap (Linux 6.7+,
 * as 6.18 with its stable fixes answers it): the pages of a range sorted
 * into categories (present, swapped, file, zero page, huge, soft-dirty,
 * guard, and "written" for userfaultfd's asynchronous write-protect
 * tracking), reported as runs of equal categories, and optionally
 * write-protected again (PM_SCAN_WP_MATCHING) in the same pass.
 *
 * The walk is walk_page_range() (pagewalk.c).  Output goes through a bounce
 * buffer of at most 512 regions, copied out after each walk; a walk that
 * fills it stops and the next one starts where it stopped, as the kernel
 * does (so a run is not merged across two walks).
 *
 * Locks: mmap_lock for reading over each walk (the kernel write-protects
 * under it too); PTEs are read and changed under their PTE lock, a PMD
 * mapping under its PMD lock; the TLB flush of what was write-protected is
 * gathered (mmu_gather) and done before mmap_lock is dropped.  The result
 * array is the caller's and is written only between walks.
 */
#include <stdlib.h>
#include "pagewalk.h"
#include "swap.h"

#define PM_SCAN_FLAGS	(MMLAB_PM_SCAN_WP_MATCHING | MMLAB_PM_SCAN_CHECK_WPASYNC)
#define PAGEMAP_WALK_REGIONS	(PMD_SIZE >> PAGE_SHIFT)
/* x86-64 access_ok(): the highest user address + 1 (4-level paging) */
#define USER_PTR_END	((1UL << 47) - PAGE_SIZE)

struct pagemap_scan_private {
	struct mmlab_pm_scan_arg arg;
	uint64_t masks_of_interest, cur_vma_category;
	struct mmlab_page_region *vec_buf;	/* the bounce buffer, or NULL */
	size_t vec_buf_len, vec_buf_index;
	uint64_t found_pages;
	struct mmlab_page_region *vec_out;	/* the caller's, next free slot */
	struct mmu_gather *tlb;
	bool written_only;	/* asks for WRITTEN alone, nothing else */
};

static bool pagemap_scan_is_interesting_page(uint64_t categories,
					     const struct pagemap_scan_private *p)
{
	categories ^= p->arg.category_inverted;
	if ((categories & p->arg.category_mask) != p->arg.category_mask)
		return false;
	return !p->arg.category_anyof_mask || (categories & p->arg.category_anyof_mask);
}

/* Only WPALLOWED can rule a whole VMA out before its pages are seen. */
static bool pagemap_scan_is_interesting_vma(uint64_t categories,
					    const struct pagemap_scan_private *p)
{
	uint64_t required = p->arg.category_mask & MMLAB_PAGE_IS_WPALLOWED;

	return ((categories ^ p->arg.category_inverted) & required) == required;
}

/* Write-protected for userfaultfd: the swap PTE's bit, or a wp marker. */
static bool pte_swp_uffd_wp_any(pteval_t e)
{
	swp_entry_t se;

	if (pte_none(e) || pte_present(e))
		return false;
	se = pte_to_swp_entry(e);
	if (is_pte_marker_entry(se))
		return swp_offset(se) & PTE_MARKER_UFFD_WP;
	return e & _PAGE_SWP_UFFD_WP;
}

static bool pte_uffd_wp_any(pteval_t e)
{
	return (pte_present(e) && (e & _PAGE_UFFD_WP)) || pte_swp_uffd_wp_any(e);
}

static uint64_t pagemap_page_category(struct pagemap_scan_private *p, pteval_t e)
{
	uint64_t c = 0;
	swp_entry_t se;
	unsigned long off;

	if (pte_none(e))
		return MMLAB_PAGE_IS_WRITTEN;	/* never protected */
	if (pte_present(e)) {
		c = MMLAB_PAGE_IS_PRESENT;
		if (!(e & _PAGE_UFFD_WP))
			c |= MMLAB_PAGE_IS_WRITTEN;
		if ((p->masks_of_interest & MMLAB_PAGE_IS_FILE) && !pte_special(e) &&
		    !PageAnon(pfn_to_page(pte_pfn(e))))
			c |= MMLAB_PAGE_IS_FILE;
		if (pte_pfn(e) == zero_pfn)
			c |= MMLAB_PAGE_IS_PFNZERO;
		if (e & _PAGE_SOFT_DIRTY)
			c |= MMLAB_PAGE_IS_SOFT_DIRTY;
		return c;
	}
	se = pte_to_swp_entry(e);
	off = swp_offset(se);
	/* the model's soft-dirty marker alone is a none PTE with that bit */
	if (is_pte_marker_entry(se) && off == PTE_MARKER_SOFT_DIRTY)
		return MMLAB_PAGE_IS_WRITTEN | MMLAB_PAGE_IS_SOFT_DIRTY;
	c = MMLAB_PAGE_IS_SWAPPED;	/* swap, migration entries and markers */
	if (!pte_swp_uffd_wp_any(e))
		c |= MMLAB_PAGE_IS_WRITTEN;
	if (is_pte_marker_entry(se) && (off & PTE_MARKER_GUARD))
		c |= MMLAB_PAGE_IS_GUARD;
	else if ((p->masks_of_interest & MMLAB_PAGE_IS_FILE) && is_migration_entry(se) &&
		 !PageAnon(compound_head(pfn_to_page(off))))
		c |= MMLAB_PAGE_IS_FILE;
	if ((e & _PAGE_SWP_SOFT_DIRTY) ||
	    (is_pte_marker_entry(se) && (off & PTE_MARKER_SOFT_DIRTY)))
		c |= MMLAB_PAGE_IS_SOFT_DIRTY;
	return c;
}

static uint64_t pagemap_thp_category(struct pagemap_scan_private *p, pteval_t pmd)
{
	uint64_t c = MMLAB_PAGE_IS_HUGE | MMLAB_PAGE_IS_PRESENT;

	if (!(pmd & _PAGE_UFFD_WP))
		c |= MMLAB_PAGE_IS_WRITTEN;
	/* the huge zero page has no normal page: not FILE */
	if (is_huge_zero_pmd(pmd))
		c |= MMLAB_PAGE_IS_PFNZERO;
	else if ((p->masks_of_interest & MMLAB_PAGE_IS_FILE) &&
		 !PageAnon(pfn_to_page(pte_pfn(pmd))))
		c |= MMLAB_PAGE_IS_FILE;
	if (pmd & _PAGE_SOFT_DIRTY)
		c |= MMLAB_PAGE_IS_SOFT_DIRTY;
	return c;
}

/* Append [addr, end) to the buffer, merged with the last run when it
 * continues it; false when the buffer is full. */
static bool pagemap_scan_push_range(uint64_t categories, struct pagemap_scan_private *p,
				    unsigned long addr, unsigned long end)
{
	struct mmlab_page_region *cur = &p->vec_buf[p->vec_buf_index];

	if (cur->end == addr && cur->categories == categories) {
		cur->end = end;
		return true;
	}
	if (cur->end) {
		if (p->vec_buf_index + 1 >= p->vec_buf_len)
			return false;
		cur = &p->vec_buf[++p->vec_buf_index];
	}
	*cur = (struct mmlab_page_region){ .start = addr, .end = end, .categories = categories };
	return true;
}

/*
 * Report [addr, *end) with @categories: *end comes back shortened to what
 * fits under max_pages and in the buffer (to addr when nothing did), and
 * -ENOSPC says the walk must stop there (walk_end).  Without a buffer
 * nothing is reported and nothing limits the walk.
 */
static int pagemap_scan_output(uint64_t categories, struct pagemap_scan_private *p,
			       unsigned long addr, unsigned long *end)
{
	uint64_t n_pages, total;
	int ret = 0;

	if (!p->vec_buf)
		return 0;
	categories &= p->arg.return_mask;
	n_pages = (*end - addr) >> PAGE_SHIFT;
	total = p->found_pages + n_pages;
	if (total < p->found_pages || total > p->arg.max_pages) {
		uint64_t too_many = total < p->found_pages ? n_pages : total - p->arg.max_pages;

		*end -= too_many << PAGE_SHIFT;
		n_pages -= too_many;
		ret = -ENOSPC;
	}
	if (!pagemap_scan_push_range(categories, p, addr, *end)) {
		*end = addr;
		n_pages = 0;
		ret = -ENOSPC;
	}
	p->found_pages += n_pages;
	if (ret)
		p->arg.walk_end = *end;
	return ret;
}

/* Take back the last run's part from @addr (a THP about to be split is
 * reported again page by page). */
static void pagemap_scan_backout_range(struct pagemap_scan_private *p, unsigned long addr,
				       unsigned long end)
{
	struct mmlab_page_region *cur = &p->vec_buf[p->vec_buf_index];

	if (cur->start != addr)
		cur->end = addr;
	else
		cur->start = cur->end = 0;
	p->found_pages -= (end - addr) >> PAGE_SHIFT;
}

/* make_uffd_wp_pte: protect one entry (PTE lock held); a none entry gets
 * a marker. */
static void make_uffd_wp_pte(struct pagemap_scan_private *p, unsigned long addr,
			     pteval_t *q, pteval_t e)
{
	if (pte_present(e)) {
		e = pte_xchg(q, 0);
		pte_write(q, (e | _PAGE_UFFD_WP) & ~_PAGE_RW);
		tlb_remove_tlb_entry(p->tlb, addr);
	} else if (pte_none(e)) {
		pte_write(q, make_pte_marker(PTE_MARKER_UFFD_WP));
	} else if (is_pte_marker_entry(pte_to_swp_entry(e))) {
		pte_write(q, make_pte_marker(swp_offset(pte_to_swp_entry(e)) | PTE_MARKER_UFFD_WP));
	} else {
		pte_write(q, e | _PAGE_SWP_UFFD_WP);
	}
}

static int pagemap_scan_test_walk(unsigned long start, unsigned long end,
				  struct mm_walk *walk)
{
	struct pagemap_scan_private *p = walk->private;
	struct vm_area_struct *v = walk->vma;
	bool wp_allowed = userfaultfd_wp_async(v) && userfaultfd_wp_use_markers(v);
	uint64_t c = 0;

	(void)start;
	(void)end;
	if (!wp_allowed) {
		if (p->arg.flags & MMLAB_PM_SCAN_CHECK_WPASYNC)
			return -EPERM;
		if (p->arg.flags & MMLAB_PM_SCAN_WP_MATCHING)
			return 1;	/* skipped silently */
	}
	if (wp_allowed)
		c |= MMLAB_PAGE_IS_WPALLOWED;
	if (READ_ONCE(knobs.soft_dirty) && (v->vm_flags & VM_SOFTDIRTY))
		c |= MMLAB_PAGE_IS_SOFT_DIRTY;
	if (!pagemap_scan_is_interesting_vma(c, p))
		return 1;
	p->cur_vma_category = c;
	return 0;
}

/* A PMD mapping (its lock held): reported whole; protected whole when
 * the range covers it, else split and done again page by page. */
static int pagemap_scan_thp_entry(struct pagemap_scan_private *p, pteval_t *pmd,
				  pteval_t val, unsigned long start, unsigned long end,
				  struct mm_walk *walk)
{
	uint64_t c = p->cur_vma_category | pagemap_thp_category(p, val);
	int ret;

	walk->action = ACTION_CONTINUE;
	if (!pagemap_scan_is_interesting_page(c, p))
		return 0;
	ret = pagemap_scan_output(c, p, start, &end);
	if (start == end || !(p->arg.flags & MMLAB_PM_SCAN_WP_MATCHING) ||
	    !(c & MMLAB_PAGE_IS_WRITTEN))
		return ret;
	if (end != start + PMD_SIZE) {
		if (p->vec_buf)
			pagemap_scan_backout_range(p, start, end);
		walk->action = ACTION_SUBTREE;	/* the walker splits it */
		return 0;
	}
	/* make_uffd_wp_pmd: in one step, never none (a lockless zap or
	 * fork must not skip it); a Dirty bit the hardware sets meanwhile
	 * is kept; the flush is the gather's */
	do
		val = pte_read(pmd);
	while (!pte_cmpxchg(pmd, val, (val | _PAGE_UFFD_WP) & ~_PAGE_RW));
	tlb_remove_tlb_entry(p->tlb, start);
	tlb_remove_tlb_entry(p->tlb, end - PAGE_SIZE);
	return ret;
}

static int pagemap_scan_pmd_entry(pteval_t *pmd, unsigned long start, unsigned long end,
				  struct mm_walk *walk)
{
	spinlock_t *ptl;
	pteval_t val;
	int ret;

	if (!pmd_leaf(pte_read(pmd)) || !(ptl = pmd_trans_huge_lock(pmd, &val)))
		return 0;
	ret = pagemap_scan_thp_entry(walk->private, pmd, val, start, end, walk);
	spin_unlock(ptl);
	return ret;
}

/* One PTE (PTE lock held). */
static int pagemap_scan_pte_entry(pteval_t *pte, unsigned long a, unsigned long next,
				  struct mm_walk *walk)
{
	struct pagemap_scan_private *p = walk->private;
	bool wp = p->arg.flags & MMLAB_PM_SCAN_WP_MATCHING;
	pteval_t e = pte_read(pte);
	uint64_t c;
	int ret;

	if (wp && !p->vec_buf) {
		/* only protect: everything not protected yet */
		if (!pte_uffd_wp_any(e))
			make_uffd_wp_pte(p, a, pte, e);
		return 0;
	}
	if (p->written_only) {
		/* the kernel's fast path: written is not protected */
		if (pte_uffd_wp_any(e))
			return 0;
		c = p->cur_vma_category | MMLAB_PAGE_IS_WRITTEN;
	} else {
		c = p->cur_vma_category | pagemap_page_category(p, e);
		if (!pagemap_scan_is_interesting_page(c, p))
			return 0;
	}
	ret = pagemap_scan_output(c, p, a, &next);
	if (next == a)
		return ret;
	if (wp && (c & MMLAB_PAGE_IS_WRITTEN))
		make_uffd_wp_pte(p, a, pte, e);
	return ret;
}

/* No page table: a hole of the VMA, written in a uffd-wp VMA (the stable
 * fix for PMD holes); protecting it puts markers there. */
static int pagemap_scan_pte_hole(unsigned long addr, unsigned long end, int depth,
				 struct mm_walk *walk)
{
	struct pagemap_scan_private *p = walk->private;
	struct vm_area_struct *v = walk->vma;
	uint64_t c;
	int ret, err;

	(void)depth;
	if (!v)
		return 0;
	c = p->cur_vma_category;
	if (v->vm_flags & VM_UFFD_WP)
		c |= MMLAB_PAGE_IS_WRITTEN;
	if (!pagemap_scan_is_interesting_page(c, p))
		return 0;
	ret = pagemap_scan_output(c, p, addr, &end);
	if (addr == end || !(p->arg.flags & MMLAB_PM_SCAN_WP_MATCHING))
		return ret;
	err = change_protection(p->tlb, v, addr, end, MM_CP_UFFD_WP);
	return err < 0 ? err : ret;
}

static const struct mm_walk_ops pagemap_scan_ops = {
	.test_walk = pagemap_scan_test_walk,
	.pmd_entry = pagemap_scan_pmd_entry,
	.pte_entry = pagemap_scan_pte_entry,
	.pte_hole = pagemap_scan_pte_hole,
	.walk_lock = PGWALK_RDLOCK,
};

/* x86-64 access_ok() */
static bool access_ok(uint64_t addr, uint64_t size)
{
	return size <= USER_PTR_END && addr <= USER_PTR_END - size;
}

static int pagemap_scan_get_args(struct mmlab_pm_scan_arg *arg,
				 const struct mmlab_pm_scan_arg *uarg)
{
	if (!uarg)
		return -EFAULT;
	*arg = *uarg;
	if (arg->size != sizeof(*arg))
		return -EINVAL;
	if (arg->flags & ~PM_SCAN_FLAGS)
		return -EINVAL;
	if ((arg->category_inverted | arg->category_mask | arg->category_anyof_mask |
	     arg->return_mask) & ~MMLAB_PM_SCAN_CATEGORIES)
		return -EINVAL;
	if (arg->start & ~PAGE_MASK)
		return -EINVAL;
	if (!access_ok(arg->start, arg->end - arg->start))
		return -EFAULT;
	if (!arg->vec && arg->vec_len)
		return -EINVAL;
	if (arg->vec && (arg->vec_len > USER_PTR_END / sizeof(struct mmlab_page_region) ||
			 !access_ok(arg->vec, arg->vec_len * sizeof(struct mmlab_page_region))))
		return -EFAULT;
	arg->end = (arg->end + PAGE_SIZE - 1) & PAGE_MASK;
	arg->walk_end = 0;
	if (!arg->max_pages)
		arg->max_pages = UINT64_MAX;
	return 0;
}

/* Copy the buffer's runs out (the last one only when not empty). */
static long pagemap_scan_flush_buffer(struct pagemap_scan_private *p)
{
	size_t n = p->vec_buf_index;

	if (!p->vec_buf)
		return 0;
	if (p->vec_buf[n].end != p->vec_buf[n].start)
		n++;
	if (!n)
		return 0;
	memcpy(p->vec_out, p->vec_buf, n * sizeof(*p->vec_buf));
	p->arg.vec_len -= n;
	p->vec_out += n;
	p->vec_buf_index = 0;
	p->vec_buf_len = min(p->vec_buf_len, (size_t)p->arg.vec_len);
	p->vec_buf->start = p->vec_buf->end = 0;
	return (long)n;
}

long mmlab_pagemap_scan(struct mmlab_proc *proc, struct mmlab_pm_scan_arg *uarg)
{
	struct pagemap_scan_private p = { 0 };
	struct mm_struct *mm;
	struct mmu_gather tlb;
	long n_out = 0;
	int ret;

	if (!proc)
		return -EINVAL;
	ret = pagemap_scan_get_args(&p.arg, uarg);
	if (ret)
		return ret;
	mm = proc->mm;
	p.masks_of_interest = p.arg.category_mask | p.arg.category_anyof_mask | p.arg.return_mask;
	p.written_only = !p.arg.category_anyof_mask && !p.arg.category_inverted &&
			 p.arg.category_mask == MMLAB_PAGE_IS_WRITTEN &&
			 p.arg.return_mask == MMLAB_PAGE_IS_WRITTEN;
	p.tlb = &tlb;
	if (p.arg.vec_len) {
		p.vec_buf_len = min((uint64_t)PAGEMAP_WALK_REGIONS, p.arg.vec_len);
		p.vec_buf = calloc(p.vec_buf_len, sizeof(*p.vec_buf));
		if (!p.vec_buf)
			return -ENOMEM;
		p.vec_out = (struct mmlab_page_region *)(uintptr_t)p.arg.vec;
	}
	/* write-protecting flushes TLBs: from the process's own CPU */
	if (p.arg.flags & MMLAB_PM_SCAN_WP_MATCHING)
		task_enter(proc->main);
	for (uint64_t walk_start = p.arg.start; walk_start < p.arg.end;
	     walk_start = p.arg.walk_end) {
		long n;

		down_read(&mm->mmap_lock);
		tlb_gather_mmu(&tlb, mm, false);
		ret = walk_page_range(mm, walk_start, p.arg.end, &pagemap_scan_ops, &p);
		tlb_finish_mmu(&tlb);
		up_read(&mm->mmap_lock);
		n = pagemap_scan_flush_buffer(&p);
		n_out += n;
		/* -ENOSPC: the buffer filled (go on where the walk stopped),
		 * or max_pages was reached (done) */
		if (ret != -ENOSPC || !p.arg.vec_len || p.found_pages == p.arg.max_pages)
			break;
	}
	if (p.arg.flags & MMLAB_PM_SCAN_WP_MATCHING)
		task_leave(proc->main);
	if (!ret || ret == -ENOSPC)
		ret = 0;
	if (!p.arg.walk_end)
		p.arg.walk_end = p.arg.end;
	uarg->walk_end = p.arg.walk_end;
	free(p.vec_buf);
	return ret ? ret : n_out;
}
