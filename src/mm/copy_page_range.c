/*
 * copy_page_range.c - fork's copy of page tables (the kernel's
 * copy_page_range in mm/memory.c).
 *
 * dup_mmap (fork.c) holds the parent's mmap_lock for writing; each PTE
 * table is copied under both tables' PTE locks.  Anonymous pages are
 * shared with the child: the parent loses exclusivity and both PTEs lose
 * write permission (the CoW fault sorts them out later).  The exception is
 * an exclusive page that may be pinned (folio_needs_cow_for_dma): a pin
 * expects the parent's page to stay the parent's, so the child gets a copy
 * at once (copy_present_page) and the parent's PTE is left as it was.  A
 * PMD-mapped THP that may be pinned is split first, then copied this way.
 */
#include "gup.h"


/* A swap, migration or marker entry for the child (copy_nonpresent_pte):
 * the value to store, 0 for none.  Both PTE locks held. */
static pteval_t copy_nonpresent_pte(struct vm_area_struct *dst, struct vm_area_struct *src,
				    pteval_t *spte, pteval_t v, long *rss)
{
	swp_entry_t e = pte_to_swp_entry(v);

	if (!non_swap_entry(e)) {
		if (swap_duplicate(e))
			return 0;
		if (v & _PAGE_SWP_EXCLUSIVE) {
			v &= ~_PAGE_SWP_EXCLUSIVE;
			pte_write(spte, v);
		}
		if (!(dst->vm_flags & VM_UFFD_WP))
			v &= ~_PAGE_SWP_UFFD_WP;
		rss[MM_SWAPENTS]++;
	} else if (is_migration_entry(e)) {
		rss[mm_counter(pfn_to_page(swp_offset(e)))]++;
		if (swp_type(e) != SWP_MIGRATION_READ && is_cow_mapping(src->vm_flags)) {
			v = swp_entry_to_pte(swp_entry(SWP_MIGRATION_READ, swp_offset(e))) |
			    (v & _PAGE_SWP_SW_BITS & ~_PAGE_SWP_EXCLUSIVE);
			pte_write(spte, v);
		}
	} else if (is_pte_marker_entry(e)) {
		/* copy_pte_marker: guard and poisoned markers go to the
		 * child, uffd-wp ones when it stays registered (EVENT_FORK) */
		unsigned long m = swp_offset(e) & (PTE_MARKER_GUARD | PTE_MARKER_POISONED);

		if (dst->vm_flags & VM_UFFD_WP)
			m |= swp_offset(e) & PTE_MARKER_UFFD_WP;
		if (!m)
			return 0;
		v = make_pte_marker(m);
	} else {
		return 0;
	}
	return v;
}

/* copy_present_page: the child's own copy of @page (the parent's may be
 * pinned) in @new; the parent's PTE stays as it is.  Both PTE locks held. */
static pteval_t copy_present_page(struct vm_area_struct *dst, unsigned long addr,
				  pteval_t v, struct page *page, struct page *new, long *rss)
{
	pteval_t e = pfn_pte(page_to_pfn(new), dst->vm_page_prot);

	copy_highpage(new, page);
	folio_add_new_anon_rmap(new, dst, addr);
	rss[MM_ANONPAGES]++;
	e = (dst->vm_flags & VM_WRITE) ? pte_mkwrite_prot(e) : pte_mkdirty(e);
	if ((dst->vm_flags & VM_UFFD_WP) && (v & _PAGE_UFFD_WP))
		e = (e | _PAGE_UFFD_WP) & ~_PAGE_RW;
	return e;
}

/* One present PTE: the child's value; -EAGAIN in *err when the page must
 * be copied and no page was allocated yet (*prealloc NULL). */
static pteval_t copy_present_pte(struct vm_area_struct *dst, struct vm_area_struct *src,
				 pteval_t *spte, pteval_t v, unsigned long addr,
				 struct page **prealloc, long *rss, int *err)
{
	struct page *page = vm_normal_page(v);

	if (page && PageAnon(page) && PageAnonExclusive(page) &&
	    folio_needs_cow_for_dma(src, compound_head(page))) {
		struct page *new = *prealloc;

		if (!new) {
			*err = -EAGAIN;
			return 0;
		}
		*prealloc = NULL;
		return copy_present_page(dst, addr, v, page, new, rss);
	}
	if (page) {
		get_page(page);
		if (PageAnon(page))
			ClearPageAnonExclusive(page);
		folio_dup_rmap(page, dst);
		rss[mm_counter(page)]++;
	}
	if (is_cow_mapping(src->vm_flags) && pte_write_bit(v)) {
		__atomic_fetch_and(spte, ~_PAGE_RW, __ATOMIC_ACQ_REL);
		v &= ~_PAGE_RW;
	}
	if (src->vm_flags & VM_SHARED)
		v &= ~_PAGE_DIRTY;
	v &= ~_PAGE_ACCESSED;	/* the child's PTEs start old */
	if (!(dst->vm_flags & VM_UFFD_WP))
		v &= ~_PAGE_UFFD_WP;
	return v;
}

/* Copy [*addrp, end) of one PTE table; *addrp: where it stopped. */
static int copy_pte_table(struct vm_area_struct *dst, struct vm_area_struct *src,
			  pteval_t *dst_pmd, pteval_t *src_pmd, unsigned long *addrp,
			  unsigned long end, struct page **prealloc)
{
	struct mm_struct *dmm = dst->vm_mm, *smm = src->vm_mm;
	unsigned long addr = *addrp;
	spinlock_t *sptl, *dptl;
	pteval_t *spte, *dpte, *spte0, *dpte0;
	long rss[NR_MM_COUNTERS] = { 0 };
	struct page *given = *prealloc;
	int err = 0;

	dpte0 = dpte = pte_offset_map_lock(dmm, dst_pmd, addr, &dptl);
	spte0 = spte = pte_offset_map_lock(smm, src_pmd, addr, &sptl);
	if (!spte) {
		pte_unmap_unlock(dpte0, dptl);
		*addrp = end;
		return 0;
	}
	for (; addr < end; addr += PAGE_SIZE, spte++, dpte++) {
		pteval_t v = pte_read(spte);

		if (pte_none(v))
			continue;
		if (!pte_present(v))
			v = copy_nonpresent_pte(dst, src, spte, v, rss);
		else
			v = copy_present_pte(dst, src, spte, v, addr, prealloc, rss, &err);
		if (err)
			break;
		if (v)
			pte_write(dpte, v);
	}
	pte_unmap_unlock(spte0, sptl);
	pte_unmap_unlock(dpte0, dptl);
	if (given && !*prealloc)
		folio_add_lru_vma(given, dst);	/* the child's copy */
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i])
			add_mm_counter(dmm, i, rss[i]);
	*addrp = addr;
	return err;
}

static int copy_pte_range(struct vm_area_struct *dst, struct vm_area_struct *src,
			  pteval_t *dst_pmd, pteval_t *src_pmd,
			  unsigned long addr, unsigned long end)
{
	struct page *prealloc = NULL;
	int err = 0;

	if (pte_none(pte_read(dst_pmd)) && __pte_alloc(dst->vm_mm, dst_pmd))
		return -ENOMEM;
	while (addr < end) {
		if (copy_pte_table(dst, src, dst_pmd, src_pmd, &addr, end, &prealloc) != -EAGAIN)
			continue;
		/* a page to copy for the child: allocate without the locks
		 * (allocation may reclaim) and go on from that PTE */
		prealloc = alloc_page(0);
		if (!prealloc) {
			err = -ENOMEM;
			break;
		}
	}
	if (prealloc)
		put_page(prealloc);	/* not needed after all */
	return err;
}

/*
 * Copy the page tables of @src into @dst for fork.  As the kernel does, a VMA
 * without an anon_vma (never written, or shared) is not copied: the child
 * faults those pages in itself.
 */
static int __copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct mm_struct *smm = src->vm_mm, *dmm = dst->vm_mm;
	unsigned long addr = src->vm_start, end = src->vm_end;

	/* vma_needs_copy: anonymous pages, or a child registered for uffd-wp
	 * (its PTEs and markers carry the bits, even for shared memory) */
	if (!src->anon_vma && !(dst->vm_flags & VM_UFFD_WP))
		return 0;
	while (addr < end) {
		pteval_t *spgd = pgd_offset(smm, addr), *spud, *spmd, *dpud, *dpmd;
		unsigned long next = (addr + PMD_SIZE) & PMD_MASK;

		if (!next || next > end)
			next = end;
		if (pte_none(pte_read(spgd))) {
			addr = next;
			continue;
		}
		spud = pud_offset(spgd, addr);
		if (pte_none(pte_read(spud))) {
			addr = next;
			continue;
		}
		spmd = pmd_offset(spud, addr);
		if (pte_none(pte_read(spmd))) {
			addr = next;
			continue;
		}
		dpud = pud_alloc(dmm, pgd_offset(dmm, addr), addr);
		dpmd = dpud ? pmd_alloc(dmm, dpud, addr) : NULL;
		if (!dpmd)
			return -ENOMEM;
		if (pmd_leaf(pte_read(spmd))) {
			int err = copy_huge_pmd(dst, src, dpmd, spmd, addr);

			if (err == -ENOMEM)
				return err;
			if (!err) {
				addr = next;
				continue;
			}
		}
		if (copy_pte_range(dst, src, dpmd, spmd, addr, next))
			return -ENOMEM;
		addr = next;
	}
	return 0;
}

/* The copy of a CoW mapping runs inside the parent's write_protect_seq
 * (odd while it lasts): GUP-fast pins taken meanwhile are dropped again
 * and retried on the locked path, which fork's mmap_lock excludes. */
int copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct mm_struct *smm = src->vm_mm;
	bool cow = is_cow_mapping(src->vm_flags);
	int ret;

	if (cow)
		__atomic_fetch_add(&smm->write_protect_seq, 1, __ATOMIC_SEQ_CST);
	ret = __copy_page_range(dst, src);
	if (cow)
		__atomic_fetch_add(&smm->write_protect_seq, 1, __ATOMIC_SEQ_CST);
	return ret;
}
