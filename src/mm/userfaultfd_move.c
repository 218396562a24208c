/*
 * userfaultfd_move.c - UFFDIO_MOVE (move_pages): pages of an anonymous VMA
 * move into a registered anonymous VMA of the same mm, without copying:
 * the PTE (or the PMD of a THP) leaves the source and the folio is
 * re-indexed into the destination VMA's anon_vma (folio_move_anon_rmap).
 *
 * The rules, as 6.18's:
 *   -EINVAL  mode bits other than DONTWAKE and ALLOW_SRC_HOLES; unaligned or
 *            empty ranges; a range past its VMA's end; a shared or file VMA
 *            on either side; different access flags, protections or
 *            VM_LOCKED; a source that is not writable; a destination not
 *            registered on this userfaultfd;
 *   -ENOENT  no VMA at src or dst; a hole in the source without
 *            ALLOW_SRC_HOLES (with it a hole moves as nothing, and counts);
 *   -EEXIST  the destination has a PTE (of any kind) or a huge PMD;
 *   -EBUSY   the page is not exclusive to this mm (PageAnonExclusive: not
 *            shared with a fork child, not KSM), or it is in swap (the
 *            model does not move swap entries).
 * A THP moves whole when src and dst are PMD-aligned, at least a PMD is
 * left to move and the destination PMD is none (move_pages_huge_pmd);
 * otherwise the PMD is split (an exclusive THP only: -EBUSY else) and its
 * pages move one by one, after the large folio is split too.  The zero
 * page moves as a PTE.  Moved PTEs are soft-dirty, keep dirty, and are
 * writable (the VMA is).  The result is the bytes moved, or the first
 * error when none were; the ioctl then returns 0 or -EAGAIN (part).
 *
 * Locks: mmap_lock for reading over the call; per page both PTE locks (one
 * when the tables share it), taken in address order; for a huge move the
 * folio lock, then the PMD locks of both sides.  A large folio is split with no PTE lock held, then the page
 * is tried again.
 */
#include "swap.h"

#define MOVE_MODES	(MMLAB_UFFDIO_MODE_DONTWAKE | MMLAB_UFFDIO_MOVE_ALLOW_SRC_HOLES)

/* validate_move_areas */
static int move_check_vmas(struct vm_area_struct *src, struct vm_area_struct *dst)
{
	if ((src->vm_flags & VM_SHARED) || (dst->vm_flags & VM_SHARED) ||
	    (src->vm_flags & VM_ACCESS_FLAGS) != (dst->vm_flags & VM_ACCESS_FLAGS) ||
	    src->vm_page_prot != dst->vm_page_prot ||
	    (src->vm_flags & VM_LOCKED) != (dst->vm_flags & VM_LOCKED) ||
	    !(src->vm_flags & VM_WRITE) ||
	    !(dst->vm_flags & (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)) ||
	    !vma_is_anonymous(src) || !vma_is_anonymous(dst))
		return -EINVAL;
	return 0;
}

static pteval_t *move_alloc_pmd(struct mm_struct *mm, unsigned long addr)
{
	pteval_t *pud = pud_alloc(mm, pgd_offset(mm, addr), addr);

	return pud ? pmd_alloc(mm, pud, addr) : NULL;
}

/* Split the large folio @page belongs to; -EAGAIN to try the page again. */
static int move_split_folio(struct page *page)
{
	struct page *folio = compound_head(page);
	int ret;

	get_page(folio);
	if (!folio_trylock(folio)) {
		put_page(folio);
		return -EAGAIN;
	}
	ret = split_folio(folio);
	folio_unlock(folio);
	put_page(folio);
	return ret ? -EBUSY : -EAGAIN;
}

/*
 * move_pages_pte for one page: both PTE locks held.  Returns 0 (moved, or a
 * hole passed over), -EAGAIN with *split set for a large folio (split it
 * with no lock held, then try again), or the error.
 */
static int move_one_pte(struct vm_area_struct *dv, struct vm_area_struct *sv,
			pteval_t *dpte, pteval_t *spte, unsigned long daddr,
			unsigned long saddr, unsigned int mode, struct page **split)
{
	pteval_t s = pte_read(spte), d;
	struct page *page;

	if (!pte_none(pte_read(dpte)))
		return -EEXIST;
	if (pte_none(s))
		return mode & MMLAB_UFFDIO_MOVE_ALLOW_SRC_HOLES ? 0 : -ENOENT;
	if (!pte_present(s))
		return -EBUSY;	/* swap or migration entries: see the top comment */
	if (pte_pfn(s) == zero_pfn) {
		d = pfn_pte(zero_pfn, dv->vm_page_prot & ~_PAGE_RW) | _PAGE_SPECIAL;
	} else {
		page = pfn_to_page(pte_pfn(s));
		if (!PageAnon(page) || !PageAnonExclusive(page))
			return -EBUSY;
		if (folio_test_large(compound_head(page))) {
			*split = page;
			return -EAGAIN;
		}
		folio_move_anon_rmap(page, dv);
		page->index = linear_page_index(dv, daddr);
		d = pfn_pte(pte_pfn(s), dv->vm_page_prot) | (s & (_PAGE_DIRTY | _PAGE_ACCESSED));
		if (dv->vm_flags & VM_WRITE)
			d |= _PAGE_RW;
		if (READ_ONCE(knobs.soft_dirty))
			d |= _PAGE_SOFT_DIRTY;
	}
	pte_xchg(spte, 0);
	flush_tlb_range(sv, saddr, saddr + PAGE_SIZE);
	pte_write(dpte, d);
	return 0;
}

/* One page: the PTE tables of both exist. */
static int move_pages_pte(struct vm_area_struct *dv, struct vm_area_struct *sv,
			  pteval_t *dpmd, pteval_t *spmd, unsigned long daddr,
			  unsigned long saddr, unsigned int mode)
{
	pteval_t dpmdval, spmdval, *dpte, *spte;
	spinlock_t *dptl, *sptl, *first, *second;
	struct page *split = NULL;
	int ret = -EAGAIN;

	dpte = pte_offset_map(dpmd, daddr, &dpmdval);
	spte = pte_offset_map(spmd, saddr, &spmdval);
	if (!dpte || !spte)
		goto unmap;
	/* both PTE locks, the lower first; one when the tables share it */
	dptl = &pfn_to_page(pte_pfn(dpmdval))->ptl;
	sptl = &pfn_to_page(pte_pfn(spmdval))->ptl;
	first = dptl < sptl ? dptl : sptl;
	second = dptl < sptl ? sptl : dptl;
	spin_lock(first);
	if (second != first)
		spin_lock(second);
	if (pte_read(dpmd) == dpmdval && pte_read(spmd) == spmdval)
		ret = move_one_pte(dv, sv, dpte, spte, daddr, saddr, mode, &split);
	if (second != first)
		spin_unlock(second);
	spin_unlock(first);
unmap:
	if (dpte)
		pte_unmap(dpte);
	if (spte)
		pte_unmap(spte);
	if (split)
		ret = move_split_folio(split);
	return ret;
}

/*
 * The THP @pmd maps at @saddr, moved whole: 1, or 0 when the PMD changed
 * meanwhile (look again).  The folio is locked over the move, as the
 * kernel's move_pages_huge_pmd has it, so that no rmap walker that locks
 * it (reclaim, migration) sees the PMD moved but the folio still indexed
 * in the source's anon_vma.
 */
static int move_huge_folio(struct vm_area_struct *dv, pteval_t *dpmd, pteval_t *spmd,
			   unsigned long daddr, unsigned long saddr, pteval_t pmd)
{
	struct page *folio = pfn_to_page(pte_pfn(pmd));
	spinlock_t *ptl = pmd_lockptr(spmd);
	bool moved;

	spin_lock(ptl);
	if (pte_read(spmd) != pmd) {
		spin_unlock(ptl);
		return 0;
	}
	get_page(folio);	/* the PMD maps it: it cannot go before this */
	spin_unlock(ptl);
	folio_lock(folio);
	moved = move_huge_pmd_same(dv, saddr, spmd, dpmd, pmd);
	if (moved) {
		folio_move_anon_rmap(folio, dv);
		folio->index = linear_page_index(dv, daddr);
	}
	folio_unlock(folio);
	put_page(folio);
	return moved ? 1 : 0;
}

/* A huge PMD at @saddr: moved whole (PMD_SIZE, 1), split (0, try again), or
 * an error. */
static int move_pages_huge(struct vm_area_struct *dv, struct vm_area_struct *sv,
			   pteval_t *dpmd, pteval_t *spmd, unsigned long daddr,
			   unsigned long saddr, unsigned long send)
{
	pteval_t pmd = pte_read(spmd);
	struct page *folio = pfn_to_page(pte_pfn(pmd));
	bool whole = !(saddr & ~PMD_MASK) && !(daddr & ~PMD_MASK) &&
		     send - saddr >= PMD_SIZE && pte_none(pte_read(dpmd));

	if (pte_hw_present(pmd) && pte_pfn(pmd) != huge_zero_pfn &&
	    (!PageAnon(folio) || !PageAnonExclusive(folio)))
		return -EBUSY;
	if (!whole) {
		__split_huge_pmd(sv, spmd, saddr);
		return 0;
	}
	if (pte_pfn(pmd) == huge_zero_pfn)
		return move_huge_pmd_same(dv, saddr, spmd, dpmd, pmd) ? 1 : 0;
	return move_huge_folio(dv, dpmd, spmd, daddr, saddr, pmd);
}

static int64_t move_pages(struct mm_struct *mm, unsigned long dst, unsigned long src,
			  unsigned long len, unsigned int mode)
{
	struct vm_area_struct *dv, *sv;
	unsigned long send = src + len;
	int64_t moved = 0;
	int ret;

	dv = vma_lookup(mm, dst);
	sv = vma_lookup(mm, src);
	if (!dv || !sv)
		return -ENOENT;
	if (src + len > sv->vm_end || dst + len > dv->vm_end)
		return -EINVAL;
	ret = move_check_vmas(sv, dv);
	if (ret)
		return ret;
	if (anon_vma_prepare(dv))
		return -ENOMEM;
	while (src + moved < send) {
		unsigned long s = src + moved, d = dst + moved;
		pteval_t *spmd = mm_find_pmd(mm, s), *dpmd;

		if (!spmd && !(mode & MMLAB_UFFDIO_MOVE_ALLOW_SRC_HOLES)) {
			ret = -ENOENT;
			break;
		}
		if ((!spmd && !(spmd = move_alloc_pmd(mm, s))) || !(dpmd = move_alloc_pmd(mm, d))) {
			ret = -ENOMEM;
			break;
		}
		if (pmd_leaf(pte_read(dpmd))) {
			ret = -EEXIST;
			break;
		}
		if (pmd_leaf(pte_read(spmd))) {
			ret = move_pages_huge(dv, sv, dpmd, spmd, d, s, send);
			if (ret == 1)
				moved += PMD_SIZE;
			if (ret < 0)
				break;
			continue;
		}
		if (pte_none(pte_read(spmd))) {
			if (!(mode & MMLAB_UFFDIO_MOVE_ALLOW_SRC_HOLES)) {
				ret = -ENOENT;
				break;
			}
			if (__pte_alloc(mm, spmd)) {
				ret = -ENOMEM;
				break;
			}
		}
		if (pte_none(pte_read(dpmd)) && __pte_alloc(mm, dpmd)) {
			ret = -ENOMEM;
			break;
		}
		ret = move_pages_pte(dv, sv, dpmd, spmd, d, s, mode);
		if (ret == -EAGAIN)
			continue;
		if (ret)
			break;
		moved += PAGE_SIZE;
	}
	return moved ? moved : ret;
}

int mmlab_uffd_move(struct mmlab_proc *p, uint64_t dst, uint64_t src, uint64_t len,
		    unsigned int mode, int64_t *moved)
{
	int64_t ret;

	if (moved)
		*moved = 0;
	if (!p || (mode & ~MOVE_MODES) || ((dst | src | len) & ~PAGE_MASK) || !len ||
	    dst >= TASK_SIZE || len > TASK_SIZE - dst || src >= TASK_SIZE ||
	    len > TASK_SIZE - src)
		return -EINVAL;
	if (!smp_load_acquire(&p->mm->uffd))
		return -EINVAL;
	task_enter(p->main);
	down_read(&p->mm->mmap_lock);
	ret = move_pages(p->mm, dst, src, len, mode);
	up_read(&p->mm->mmap_lock);
	task_leave(p->main);
	if (moved)
		*moved = ret;
	if (ret < 0)
		return (int)ret;
	return ret == (int64_t)len ? 0 : -EAGAIN;
}
