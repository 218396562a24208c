/*
 * madvise.c - madvise(2): the kernel's argument checks and VMA walk (a hole
 * makes the call return ENOMEM after the mapped parts were advised), and the
 * advice: DONTNEED zaps, FREE marks anonymous pages lazily freeable, REMOVE
 * punches a hole in shmem, WILLNEED, the VMA-flag advice (HUGEPAGE,
 * NOHUGEPAGE, RANDOM, SEQUENTIAL, DONTFORK, DOFORK, DONTDUMP, DODUMP,
 * WIPEONFORK, KEEPONFORK, and KSM's MERGEABLE, UNMERGEABLE), POPULATE_READ/
 * WRITE, GUARD_INSTALL/REMOVE, and COLD and PAGEOUT (deactivate, or reclaim
 * at once, the pages only this process maps).
 *
 * process_madvise(2) gives advice about another process's memory: COLD,
 * PAGEOUT, WILLNEED and COLLAPSE (any advice about the caller's own), each
 * range in turn until one fails.
 *
 * KSM is the flag alone: MADV_MERGEABLE sets VM_MERGEABLE where ksm_madvise
 * would, but no ksmd scans or merges pages, so there is never a KSM page to
 * break again at MADV_UNMERGEABLE.
 *
 * mmap_lock: read for advice that only touches pages, write for advice that
 * changes VMA flags.
 */
#include <sys/mman.h>
#include "swap.h"

#define VM_SEQ_READ	0x00008000UL
#define VM_RAND_READ	0x00010000UL
#define VM_WIPEONFORK	0x02000000UL
#define VM_DONTDUMP	0x04000000UL

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif

static bool madvise_behavior_valid(int b)
{
	switch (b) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL:
	case MADV_WILLNEED: case MADV_DONTNEED: case MADV_FREE:
	case MADV_REMOVE: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP:
	case MADV_DODUMP: case MADV_WIPEONFORK: case MADV_KEEPONFORK:
	case MADV_COLD: case MADV_PAGEOUT: case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE: case MADV_DONTNEED_LOCKED:
	case MADV_GUARD_INSTALL: case MADV_GUARD_REMOVE:
	case MMLAB_MADV_PT_RECLAIM: case MADV_COLLAPSE:
		return true;
	}
	return false;
}

static bool madvise_need_mmap_write(int b)
{
	switch (b) {
	case MADV_WILLNEED: case MADV_DONTNEED: case MADV_DONTNEED_LOCKED:
	case MADV_FREE: case MADV_REMOVE: case MADV_COLD: case MADV_PAGEOUT:
	case MADV_POPULATE_READ: case MADV_POPULATE_WRITE:
	case MADV_GUARD_INSTALL: case MADV_GUARD_REMOVE:
		return false;
	}
	return true;
}

static void zap_vma_range(struct vm_area_struct *v, unsigned long start,
			  unsigned long end, struct zap_details *d)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, v->vm_mm, false);
	unmap_page_range(&tlb, v, start, end, d);
	tlb_finish_mmu(&tlb);
}

/*
 * MADV_GUARD_INSTALL: every PTE of the range becomes a guard marker (an
 * access is SIGSEGV).  Present pages are zapped first; a fault that
 * populates an entry meanwhile makes the walk start again.  The VMA gets an
 * anon_vma so that fork copies the markers.  MADV_GUARD_REMOVE clears guard
 * markers only.  Guard markers survive MADV_DONTNEED and go with munmap.
 *
 * Install marks each VMA it visits VM_MAYBE_GUARD (6.18), the whole VMA, no
 * split: a sticky flag, set under mmap_lock for reading as the kernel's
 * vma_flag_set_atomic() does; nothing clears it (guard_remove neither).
 */
static int madvise_guard(struct vm_area_struct *v, unsigned long start,
			 unsigned long end, bool install)
{
	struct mm_struct *mm = v->vm_mm;
	const pteval_t guard = make_pte_marker(PTE_MARKER_GUARD);

	/* markers replace pages: not in a locked VMA (removing them is
	 * fine, is_valid_guard_vma allows it) */
	if (install && (v->vm_flags & VM_LOCKED))
		return -EINVAL;
	if (install && !(READ_ONCE(v->vm_flags) & VM_MAYBE_GUARD))
		__atomic_fetch_or(&v->vm_flags, VM_MAYBE_GUARD, __ATOMIC_RELAXED);
	if (install && anon_vma_prepare(v))
		return -ENOMEM;
	for (int tries = 0;; tries++) {
		bool populated = false;

		for (unsigned long addr = start; addr < end;) {
			unsigned long next = min((addr + PMD_SIZE) & PMD_MASK, end);
			pteval_t *pgd = pgd_offset(mm, addr), *pud, *pmd, *pte0, *pte;
			spinlock_t *ptl;

			if (!install && (pte_none(pte_read(pgd)) ||
					 pte_none(pte_read(pud = pud_offset(pgd, addr))) ||
					 pte_none(pte_read(pmd = pmd_offset(pud, addr))))) {
				addr = next;
				continue;
			}
			if (install) {
				pud = pud_alloc(mm, pgd, addr);
				pmd = pud ? pmd_alloc(mm, pud, addr) : NULL;
				if (!pmd || (pte_none(pte_read(pmd)) && __pte_alloc(mm, pmd)))
					return -ENOMEM;
			}
			if (pmd_leaf(pte_read(pmd)))
				__split_huge_pmd(v, pmd, addr);
			pte0 = pte_offset_map_lock(mm, pmd, addr, &ptl);
			if (!pte0)
				continue;	/* the table went: look again */
			for (pte = pte0; addr < next; addr += PAGE_SIZE, pte++) {
				pteval_t e = pte_read(pte);

				if (install) {
					if (pte_none(e))
						pte_write(pte, guard);
					else if (e != guard)
						populated = true;
				} else if (e == guard) {
					pte_write(pte, 0);
				}
			}
			pte_unmap_unlock(pte0, ptl);
		}
		if (!populated)
			return 0;
		if (tries > 8)
			return -EINTR;
		/* pages were there: zap them (markers stay) and go again */
		zap_vma_range(v, start, end, NULL);
	}
}

/*
 * The PTE table of @addr, locked, for a walk of [addr, next): a PMD-mapped
 * THP the range covers is handled whole (madvise_huge_pmd); one it covers
 * in part is split first (the walk works on PTEs).  NULL: no table.
 */
static pteval_t *madvise_map_table(struct mmu_gather *tlb, struct vm_area_struct *v,
				   unsigned long addr, unsigned long next, int advice,
				   struct list_head *list, spinlock_t **ptl, bool *done)
{
	struct mm_struct *mm = v->vm_mm;
	pteval_t *pmd = mm_find_pmd(mm, addr);

	*done = false;
	if (!pmd || pte_none(pte_read(pmd)))
		return NULL;
	if (pmd_leaf(pte_read(pmd))) {
		if (next - addr == PMD_SIZE) {
			if (madvise_huge_pmd(tlb, v, pmd, addr, advice, list)) {
				*done = true;
				return NULL;
			}
		} else if (!madvise_split_huge_pmd_folio(pmd)) {
			*done = true;	/* left alone */
			return NULL;
		}
		__split_huge_pmd(v, pmd, addr);
	}
	return pte_offset_map_lock(mm, pmd, addr, ptl);
}

/*
 * folio_pte_batch: how many PTEs from @pte (for @addr, below @end) map
 * consecutive pages of @folio, starting with @page.  The whole folio is
 * mapped here in one run only when this equals folio_nr_pages().
 */
unsigned long folio_pte_batch(pteval_t *pte, unsigned long addr,
					     unsigned long end, struct page *folio,
					     struct page *page)
{
	unsigned long pfn = page_to_pfn(page), last = page_to_pfn(folio) + folio_nr_pages(folio);
	unsigned long nr = 0;

	for (; addr < end && pfn < last; addr += PAGE_SIZE, pfn++, nr++) {
		pteval_t e = pte_read(pte + nr);

		if (!pte_present(e) || pte_special(e) || pte_pfn(e) != pfn)
			break;
	}
	return nr;
}

/*
 * A PTE walk of MADV_FREE/COLD/PAGEOUT meets page @p of a large folio at
 * @pte: 1 if the folio is mapped whole from here (*nr PTEs), -1 if the range
 * covers it in part and it is to be split, 0 if it is to be passed over
 * (*nr PTEs: others map it too).
 */
static int madvise_large_folio(pteval_t *pte, unsigned long addr, unsigned long next,
			       struct page *p, unsigned long *nr)
{
	struct page *f = compound_head(p);

	*nr = folio_pte_batch(pte, addr, next, f, p);
	if (*nr == folio_nr_pages(f))
		return 1;
	return folio_maybe_mapped_shared(f) ? 0 : -1;
}

/* Clear @bits in @nr PTEs from @pte; the TLB entries go with the gather. */
static void madvise_clear_ptes(struct mmu_gather *tlb, pteval_t *pte, unsigned long addr,
			       unsigned long nr, pteval_t bits)
{
	for (unsigned long i = 0; i < nr; i++, pte++, addr += PAGE_SIZE) {
		if (!(pte_read(pte) & bits))
			continue;
		__atomic_fetch_and(pte, ~bits, __ATOMIC_ACQ_REL);
		tlb_remove_tlb_entry(tlb, addr);
	}
}

/* A large folio met by a PTE walk: split it (the walk dropped its locks).
 * Returns true if the caller should look at the same address again. */
static bool madvise_split_large(struct page *folio)
{
	bool ok = false;

	if (!get_page_unless_zero(folio))
		return false;
	if (folio_test_large(folio) && folio_trylock(folio)) {
		ok = !split_folio(folio);
		folio_unlock(folio);
	}
	put_page(folio);
	return ok;
}

/* MADV_FREE of a whole large folio: a dirty or swap-cached one is made
 * clean if this mapping is its only one (its mapcount is its size). */
static bool madvise_free_folio_ok(struct page *f)
{
	if (!PageSwapCache(f) && !PageDirty(f))
		return true;
	if (!folio_trylock(f))
		return false;
	if (folio_mapcount(f) != (int)folio_nr_pages(f) ||
	    (PageSwapCache(f) && !folio_free_swap(f))) {
		folio_unlock(f);
		return false;
	}
	clear_page_flag(f, PG_dirty);
	folio_unlock(f);
	return true;
}

/* MADV_FREE: exclusive anonymous pages become clean and old, so that reclaim
 * may drop them; a later write dirties them again and keeps them. */
static void madvise_free_range(struct vm_area_struct *v, unsigned long addr,
			       unsigned long end)
{
	struct mm_struct *mm = v->vm_mm;
	struct mmu_gather tlb;

	lru_add_drain();
	tlb_gather_mmu(&tlb, mm, false);
	while (addr < end) {
		pteval_t *pte, *pte0;
		unsigned long next = (addr + PMD_SIZE) & PMD_MASK;
		struct page *large = NULL;
		spinlock_t *ptl;

		if (!next || next > end)
			next = end;
		bool done;

		if (!(pte0 = madvise_map_table(&tlb, v, addr, next, MADV_FREE_ADVICE, NULL,
					       &ptl, &done))) {
			addr = next;
			continue;
		}
		flush_tlb_batched_pending(mm);
		for (pte = pte0; addr < next; addr += PAGE_SIZE, pte++) {
			pteval_t old = pte_read(pte);
			struct page *p;

			if (is_swap_pte(old)) {
				swp_entry_t e = pte_to_swp_entry(old);

				/* a swapped-out page is simply dropped */
				if (!non_swap_entry(e)) {
					pte_write(pte, 0);
					add_mm_counter(mm, MM_SWAPENTS, -1);
					free_swap_and_cache(e);
				}
				continue;
			}
			if (!pte_present(old) || pte_special(old))
				continue;
			p = pfn_to_page(pte_pfn(old));
			if (folio_test_large(compound_head(p))) {
				struct page *f = compound_head(p);
				unsigned long nr;
				int whole = madvise_large_folio(pte, addr, next, p, &nr);

				/* a whole one becomes lazyfree as it is */
				if (whole < 0) {
					large = f;
					break;
				}
				if (whole && PageAnon(f) && madvise_free_folio_ok(f)) {
					madvise_clear_ptes(&tlb, pte, addr, nr,
							   _PAGE_DIRTY | _PAGE_ACCESSED);
					folio_mark_lazyfree(f);
				}
				pte += nr - 1;
				addr += (nr - 1) * PAGE_SIZE;
				continue;
			}
			if (!PageAnon(p))
				continue;
			/* a dirty or swap-cached page is made clean only if
			 * this is its only mapping (a clean one shared after
			 * fork becomes lazyfree all the same, as the kernel's:
			 * reclaim then keeps it while another PTE is dirty) */
			if (PageSwapCache(p) || PageDirty(p)) {
				if (!folio_trylock(p))
					continue;
				/* a swap copy it still needs makes it unsafe */
				if (folio_maybe_mapped_shared(p) ||
				    (PageSwapCache(p) && !folio_free_swap(p))) {
					folio_unlock(p);
					continue;
				}
				clear_page_flag(p, PG_dirty);
				folio_unlock(p);
			}
			if (old & (_PAGE_DIRTY | _PAGE_ACCESSED)) {
				old = pte_xchg(pte, 0);
				pte_write(pte, old & ~(_PAGE_DIRTY | _PAGE_ACCESSED));
				tlb_remove_tlb_entry(&tlb, addr);
			}
			folio_mark_lazyfree(p);
		}
		pte_unmap_unlock(pte0, ptl);
		/* split it and look again; a folio that will not split is
		 * passed over */
		if (large && !madvise_split_large(large))
			addr += PAGE_SIZE;
	}
	/* swap entries it dropped may have been lazily unmapped (LUF) */
	luf_tlb_vma(&tlb, v);
	tlb_finish_mmu(&tlb);
}

/*
 * MADV_COLD and MADV_PAGEOUT (madvise_cold_or_pageout_pte_range): pages
 * that only this process maps are deactivated (COLD, which clears their young
 * bits and flushes those TLB entries) or isolated and reclaimed at once with
 * their references ignored (PAGEOUT: young bits and TLB entries are left
 * alone, as in 6.18; reclaim's unmap flushes them).  Pages still in another CPU's
 * LRU batch are not on the LRU and are skipped, as in the kernel.
 */
static void madvise_cold_or_pageout(struct vm_area_struct *v, unsigned long addr,
				    unsigned long end, bool pageout)
{
	struct mm_struct *mm = v->vm_mm;
	struct mmu_gather tlb;
	LIST_HEAD_ON_STACK(folio_list);

	lru_add_drain();
	tlb_gather_mmu(&tlb, mm, false);
	while (addr < end) {
		pteval_t *pte, *pte0;
		unsigned long next = (addr + PMD_SIZE) & PMD_MASK;
		struct page *large = NULL;
		spinlock_t *ptl;

		if (!next || next > end)
			next = end;
		bool done;

		if (!(pte0 = madvise_map_table(&tlb, v, addr, next,
					       pageout ? MADV_PAGEOUT_ADVICE : MADV_COLD_ADVICE,
					       &folio_list, &ptl, &done))) {
			if (pageout)
				reclaim_pages(&folio_list, true);
			addr = next;
			continue;
		}
		flush_tlb_batched_pending(mm);
		for (pte = pte0; addr < next; addr += PAGE_SIZE, pte++) {
			pteval_t old = pte_read(pte);
			struct page *p;

			if (!pte_present(old) || pte_special(old))
				continue;
			p = pfn_to_page(pte_pfn(old));
			if (folio_test_large(compound_head(p))) {
				struct page *f = compound_head(p);
				unsigned long nr;
				int whole = madvise_large_folio(pte, addr, next, p, &nr);

				/* a whole one is deactivated or reclaimed as
				 * it is, if only we map it */
				if (whole < 0) {
					large = f;
					break;
				}
				if (whole && folio_mapcount(f) == (int)nr) {
					if (!pageout)
						madvise_clear_ptes(&tlb, pte, addr, nr,
								   _PAGE_ACCESSED);
					clear_page_flag(f, PG_referenced);
					if (!pageout)
						folio_deactivate(f);
					else if (folio_isolate_lru(f))
						list_add(&f->lru, &folio_list);
				}
				pte += nr - 1;
				addr += (nr - 1) * PAGE_SIZE;
				continue;
			}
			/* leave shared pages alone */
			if (folio_maybe_mapped_shared(p))
				continue;
			/* PAGEOUT leaves young bits (and TLBs) alone: reclaim
			 * ignores references */
			if (!pageout && pte_young(old)) {
				__atomic_fetch_and(pte, ~_PAGE_ACCESSED, __ATOMIC_ACQ_REL);
				tlb_remove_tlb_entry(&tlb, addr);
			}
			clear_page_flag(p, PG_referenced);
			if (pageout) {
				if (folio_isolate_lru(p))
					list_add(&p->lru, &folio_list);
			} else {
				folio_deactivate(p);
			}
		}
		pte_unmap_unlock(pte0, ptl);
		/* what this page table gave is reclaimed now, one batch (and
		 * one batched flush) per PMD range, as the kernel's walk */
		if (pageout)
			reclaim_pages(&folio_list, true);
		/* split it and look again; a folio that will not split is
		 * passed over */
		if (large && !madvise_split_large(large))
			addr += PAGE_SIZE;
	}
	tlb_finish_mmu(&tlb);
}

/* MADV_REMOVE: a hole punched in the file (vfs_fallocate), which zaps the
 * range in every mapping of the file and frees it; seals may refuse it. */
static int madvise_remove(struct vm_area_struct *v, unsigned long start,
			  unsigned long end)
{
	if (v->vm_flags & VM_LOCKED)
		return -EINVAL;
	if (!v->vm_file)
		return -EINVAL;
	/* a read-only mapping of a file opened for writing may punch holes */
	if (!vma_is_shared_maywrite(v))
		return -EACCES;
	userfaultfd_remove(v, start, end);
	return vfs_fallocate(v->vm_file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     (int64_t)(((start - v->vm_start) >> PAGE_SHIFT) + v->vm_pgoff) << PAGE_SHIFT,
			     (int64_t)(end - start));
}

/*
 * ksm_madvise: the new flags for MADV_MERGEABLE / MADV_UNMERGEABLE.  A VMA
 * KSM cannot work on (vma_ksm_compatible: shared, or special) is left as it
 * is and the advice succeeds.
 */
static unsigned long ksm_madvise(struct vm_area_struct *v, int advice)
{
	unsigned long f = v->vm_flags;

	if (advice == MADV_UNMERGEABLE)
		return f & ~VM_MERGEABLE;
	if (f & (VM_SHARED | VM_MAYSHARE | VM_DONTEXPAND))
		return f;
	return f | VM_MERGEABLE;
}

static int madvise_vma_behavior(struct vm_area_struct *v, unsigned long start,
				unsigned long end, int behavior)
{
	unsigned long f = v->vm_flags;

	switch (behavior) {
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
		if (behavior == MADV_DONTNEED && (v->vm_flags & VM_LOCKED))
			return -EINVAL;
		userfaultfd_remove(v, start, end);
		/* since 6.14 the zap frees the PTE tables it empties */
		zap_vma_range(v, start, end, &(struct zap_details){ .reclaim_pt = true });
		return 0;
	case MADV_FREE:
		if (!vma_is_anonymous(v) || (v->vm_flags & VM_LOCKED))
			return -EINVAL;
		userfaultfd_remove(v, start, end);
		madvise_free_range(v, start, end);
		return 0;
	case MADV_REMOVE:
		return madvise_remove(v, start, end);
	case MADV_WILLNEED:
		return 0;
	case MADV_COLD:
	case MADV_PAGEOUT:
		if (v->vm_flags & VM_LOCKED)
			return -EINVAL;
		madvise_cold_or_pageout(v, start, end, behavior == MADV_PAGEOUT);
		return 0;
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
		return 0;	/* done by the caller without the lock */
	case MADV_GUARD_INSTALL:
	case MADV_GUARD_REMOVE:
		return madvise_guard(v, start, end, behavior == MADV_GUARD_INSTALL);
	case MMLAB_MADV_PT_RECLAIM:
		return madvise_pt_reclaim(v, start, end);
	case MADV_NORMAL:
		f &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case MADV_RANDOM:
		f = (f & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case MADV_SEQUENTIAL:
		f = (f & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case MADV_DONTFORK:
		f |= VM_DONTCOPY;
		break;
	case MADV_DOFORK:
		f &= ~VM_DONTCOPY;
		break;
	case MADV_DONTDUMP:
		f |= VM_DONTDUMP;
		break;
	case MADV_DODUMP:
		f &= ~VM_DONTDUMP;
		break;
	case MADV_WIPEONFORK:
		if (v->vm_file || (v->vm_flags & VM_SHARED))
			return -EINVAL;
		f |= VM_WIPEONFORK;
		break;
	case MADV_KEEPONFORK:
		f &= ~VM_WIPEONFORK;
		break;
	case MADV_HUGEPAGE:
		f = (f & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
		/* khugepaged starts looking at this mm (khugepaged_enter_vma) */
		khugepaged_enter_vma(v, f);
		break;
	case MADV_NOHUGEPAGE:
		f = (f & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
		break;
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
		f = ksm_madvise(v, behavior);
		break;
	default:
		return -EINVAL;
	}
	return vma_modify_flags(v, start, end, f);
}

static int madvise_populate(struct mm_struct *mm, unsigned long start,
			    unsigned long end, bool write)
{
	unsigned long addr = start;
	int ret = 0;

	down_read(&mm->mmap_lock);
	while (addr < end && !ret) {
		struct vm_area_struct *v = vma_lookup(mm, addr);

		if (!v) {
			ret = -ENOMEM;
			break;
		}
		/* check_vma_flags refuses the access: -EINVAL for populate
		 * (-EFAULT is a fault that failed: SIGBUS, SIGSEGV) */
		if (!(v->vm_flags & (write ? VM_WRITE : VM_READ))) {
			ret = -EINVAL;
			break;
		}
		ret = populate_vma_range(v, addr, min(end, v->vm_end),
					 FAULT_FLAG_USER | (write ? FAULT_FLAG_WRITE : 0));
		addr = v->vm_end;
	}
	up_read(&mm->mmap_lock);
	return ret;
}

int do_madvise(struct mm_struct *mm, unsigned long start, unsigned long len_in,
	       int behavior)
{
	unsigned long len, end, tmp;
	struct vm_area_struct *v, *prev;
	bool write;
	int unmapped_error = 0, error = 0;

	if (!madvise_behavior_valid(behavior))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	len = ALIGN_UP(len_in, PAGE_SIZE);
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (behavior == MADV_POPULATE_READ || behavior == MADV_POPULATE_WRITE)
		return madvise_populate(mm, start, end, behavior == MADV_POPULATE_WRITE);
	if (behavior == MADV_COLLAPSE)
		return madvise_collapse(mm, start, end);

	write = madvise_need_mmap_write(behavior);
	if (write)
		mmap_write_lock(mm);
	else
		down_read(&mm->mmap_lock);
	v = find_vma(mm, start);
	for (;;) {
		if (!v) {
			error = -ENOMEM;
			break;
		}
		if (start < v->vm_start) {
			unmapped_error = -ENOMEM;
			start = v->vm_start;
			if (start >= end)
				break;
		}
		tmp = min(v->vm_end, end);
		prev = v;
		error = can_madvise_modify(v, behavior) ?
			madvise_vma_behavior(v, start, tmp, behavior) : -EPERM;
		if (error)
			break;
		start = tmp;
		if (start >= end)
			break;
		v = find_vma(mm, start);
		(void)prev;
	}
	if (write)
		mmap_write_unlock(mm);
	else
		up_read(&mm->mmap_lock);
	if (behavior == MADV_HUGEPAGE)
		khugepaged_run_kick();
	return error ? error : unmapped_error;
}

/* process_madvise_remote_valid: what one process may advise of another's
 * memory (6.18): the hints that lose nothing, and collapse. */
bool process_madvise_remote_valid(int behavior)
{
	switch (behavior) {
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_WILLNEED:
	case MADV_COLLAPSE:
		return true;
	}
	return false;
}

/*
 * vector_madvise: madvise each range of @iov in @mm in turn, stopping at
 * the first error; the bytes of the ranges advised before it, or the error
 * when there are none.  A range whose advice reached only part of it (a
 * hole: -ENOMEM) counts as not advised.
 */
long vector_madvise(struct mm_struct *mm, const struct mmlab_iovec *iov, size_t n,
		    int behavior)
{
	uint64_t total = 0, done = 0;
	long ret = 0;

	for (size_t i = 0; i < n; i++)
		total += iov[i].len;
	for (size_t i = 0; i < n && done < total; i++) {
		ret = do_madvise(mm, iov[i].base, iov[i].len, behavior);
		if (ret < 0)
			break;
		done += iov[i].len;
		cpu_poll();
	}
	return done ? (long)done : ret;
}
