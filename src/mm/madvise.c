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
 * FREE, COLD, PAGEOUT and GUARD_INSTALL/REMOVE walk the page tables with
 * walk_page_range_vma() (pagewalk.c); DONTNEED is the zap
 * (unmap_page_range, its own loop as in the kernel).
 *
 * mmap_lock: read for advice that only touches pages, write for advice that
 * changes VMA flags.
 */
#include <sys/mman.h>
#include "pagewalk.h"
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
struct madvise_guard_private {
	bool populated;		/* install met an entry that was not none */
};

/* guard_install_set_pte: a none PTE becomes a guard marker. */
static int guard_install_set_pte(unsigned long addr, unsigned long next, pteval_t *pte,
				 struct mm_walk *walk)
{
	(void)addr;
	(void)next;
	(void)walk;
	*pte = make_pte_marker(PTE_MARKER_GUARD);
	return 0;
}

/* guard_install_pte_entry: anything but a marker is to be zapped first. */
static int guard_install_pte_entry(pteval_t *pte, unsigned long addr, unsigned long next,
				   struct mm_walk *walk)
{
	struct madvise_guard_private *gp = walk->private;

	(void)addr;
	(void)next;
	if (pte_read(pte) != make_pte_marker(PTE_MARKER_GUARD))
		gp->populated = true;
	return 0;
}

/* guard_remove_pte_entry: a guard marker goes, nothing else. */
static int guard_remove_pte_entry(pteval_t *pte, unsigned long addr, unsigned long next,
				  struct mm_walk *walk)
{
	(void)addr;
	(void)next;
	(void)walk;
	if (pte_read(pte) == make_pte_marker(PTE_MARKER_GUARD))
		pte_write(pte, 0);
	return 0;
}

/* Both split a PMD mapping (the walker's default) and work on its PTEs. */
static const struct mm_walk_ops guard_install_walk_ops = {
	.install_pte = guard_install_set_pte,
	.pte_entry = guard_install_pte_entry,
	.walk_lock = PGWALK_RDLOCK,
};

static const struct mm_walk_ops guard_remove_walk_ops = {
	.pte_entry = guard_remove_pte_entry,
	.walk_lock = PGWALK_RDLOCK,
};

static int madvise_guard(struct vm_area_struct *v, unsigned long start,
			 unsigned long end, bool install)
{
	struct madvise_guard_private gp;

	/* markers replace pages: not in a locked VMA (removing them is
	 * fine, is_valid_guard_vma allows it) */
	if (install && (v->vm_flags & VM_LOCKED))
		return -EINVAL;
	if (!install)
		return walk_page_range_vma(v, start, end, &guard_remove_walk_ops, NULL);
	if (!(READ_ONCE(v->vm_flags) & VM_MAYBE_GUARD))
		__atomic_fetch_or(&v->vm_flags, VM_MAYBE_GUARD, __ATOMIC_RELAXED);
	if (anon_vma_prepare(v))
		return -ENOMEM;
	for (int tries = 0;; tries++) {
		int err;

		gp.populated = false;
		err = walk_page_range_vma(v, start, end, &guard_install_walk_ops, &gp);
		if (err)
			return err;
		if (!gp.populated)
			return 0;
		if (tries > 8)
			return -EINTR;
		/* pages were there: zap them (markers stay) and go again */
		zap_vma_range(v, start, end, NULL);
	}
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

/*
 * The walk of MADV_FREE, COLD and PAGEOUT (madvise_free_pte_range,
 * madvise_cold_or_pageout_pte_range).  A PMD mapping the range covers is
 * handled whole (madvise_huge_pmd); one it covers in part is split first.
 * A large folio mapped whole from a PTE is handled at once and its other
 * PTEs passed over (@resume); one the range covers in part makes the walk
 * leave the table, split it and look at the same address again.
 */
struct madvise_walk_private {
	struct mmu_gather *tlb;
	int advice;			/* MADV_FREE_ADVICE, _COLD_, _PAGEOUT_ */
	struct list_head folio_list;	/* PAGEOUT: isolated, to reclaim */
	unsigned long resume;		/* PTEs below it are done */
	unsigned long table_end;	/* of the PMD range being walked */
	bool table_flushed;		/* flush_tlb_batched_pending done */
	struct page *large;		/* to split before going on */
};

/*
 * Between two page tables: PAGEOUT reclaims what the last one gave (one
 * batch, and one batched flush, per PMD range, as the kernel's walk), and
 * a large folio the walk left a table for is split; one that will not
 * split is passed over.
 */
static void madvise_walk_settle(struct madvise_walk_private *mw)
{
	if (mw->advice == MADV_PAGEOUT_ADVICE)
		reclaim_pages(&mw->folio_list, true);
	if (mw->large) {
		if (!madvise_split_large(mw->large))
			mw->resume += PAGE_SIZE;
		mw->large = NULL;
	}
}

static int madvise_walk_pmd_entry(pteval_t *pmd, unsigned long addr, unsigned long next,
				  struct mm_walk *walk)
{
	struct madvise_walk_private *mw = walk->private;
	unsigned long from;

	madvise_walk_settle(mw);
	from = max(addr, mw->resume);
	mw->table_end = next;
	mw->table_flushed = false;
	if (!pmd_leaf(pte_read(pmd)))
		return 0;
	if (next - from == PMD_SIZE) {
		if (madvise_huge_pmd(mw->tlb, walk->vma, pmd, from, mw->advice, &mw->folio_list)) {
			madvise_walk_settle(mw);
			walk->action = ACTION_CONTINUE;
		}
	} else if (!madvise_split_huge_pmd_folio(pmd)) {
		walk->action = ACTION_CONTINUE;	/* left alone */
	}
	return 0;
}

static int madvise_walk_pte_hole(unsigned long addr, unsigned long next, int depth,
				 struct mm_walk *walk)
{
	(void)addr;
	(void)next;
	(void)depth;
	madvise_walk_settle(walk->private);
	return 0;
}

/* Whether the PTE at @addr is still to be looked at (the table is locked). */
static bool madvise_walk_pte_todo(struct madvise_walk_private *mw, unsigned long addr)
{
	if (!mw->table_flushed) {
		flush_tlb_batched_pending(mw->tlb->mm);
		mw->table_flushed = true;
	}
	return addr >= mw->resume;
}

/*
 * A PTE mapping page @p of a large folio: 1 if the folio is mapped whole
 * from here (*nr PTEs, passed over after this one), 0 if it is to be
 * passed over (others map it too), -1 if the range covers it in part: the
 * walk leaves the table to split it.
 */
static int madvise_walk_large(struct madvise_walk_private *mw, struct mm_walk *walk,
			      pteval_t *pte, unsigned long addr, struct page *p,
			      unsigned long *nr)
{
	int whole = madvise_large_folio(pte, addr, mw->table_end, p, nr);

	if (whole < 0) {
		mw->large = compound_head(p);
		mw->resume = addr;
		walk->action = ACTION_AGAIN;
	} else {
		mw->resume = addr + *nr * PAGE_SIZE;
	}
	return whole;
}

/* MADV_FREE of a small anonymous page: a dirty or swap-cached page is made
 * clean only if this is its only mapping (a clean one shared after fork
 * becomes lazyfree all the same, as the kernel's: reclaim then keeps it
 * while another PTE is dirty). */
static void madvise_free_page(struct mmu_gather *tlb, pteval_t *pte, unsigned long addr,
			      pteval_t old, struct page *p)
{
	if (PageSwapCache(p) || PageDirty(p)) {
		if (!folio_trylock(p))
			return;
		/* a swap copy it still needs makes it unsafe */
		if (folio_maybe_mapped_shared(p) ||
		    (PageSwapCache(p) && !folio_free_swap(p))) {
			folio_unlock(p);
			return;
		}
		clear_page_flag(p, PG_dirty);
		folio_unlock(p);
	}
	if (old & (_PAGE_DIRTY | _PAGE_ACCESSED)) {
		old = pte_xchg(pte, 0);
		pte_write(pte, old & ~(_PAGE_DIRTY | _PAGE_ACCESSED));
		tlb_remove_tlb_entry(tlb, addr);
	}
	folio_mark_lazyfree(p);
}

/* MADV_FREE: exclusive anonymous pages become clean and old, so that
 * reclaim may drop them; a later write dirties them again and keeps them.
 * A swapped-out page is simply dropped. */
static void madvise_free_pte(struct mm_walk *walk, pteval_t *pte, unsigned long addr,
			     pteval_t old)
{
	struct madvise_walk_private *mw = walk->private;
	struct page *p, *f;
	unsigned long nr;

	if (is_swap_pte(old)) {
		swp_entry_t e = pte_to_swp_entry(old);

		if (!non_swap_entry(e)) {
			pte_write(pte, 0);
			add_mm_counter(walk->mm, MM_SWAPENTS, -1);
			free_swap_and_cache(e);
		}
		return;
	}
	if (!pte_present(old) || pte_special(old))
		return;
	p = pfn_to_page(pte_pfn(old));
	f = compound_head(p);
	if (folio_test_large(f)) {
		/* a whole one becomes lazyfree as it is */
		if (madvise_walk_large(mw, walk, pte, addr, p, &nr) > 0 && PageAnon(f) &&
		    madvise_free_folio_ok(f)) {
			madvise_clear_ptes(mw->tlb, pte, addr, nr, _PAGE_DIRTY | _PAGE_ACCESSED);
			folio_mark_lazyfree(f);
		}
		return;
	}
	if (PageAnon(p))
		madvise_free_page(mw->tlb, pte, addr, old, p);
}

/*
 * MADV_COLD and MADV_PAGEOUT (madvise_cold_or_pageout_pte_range): pages
 * that only this process maps are deactivated (COLD, which clears their young
 * bits and flushes those TLB entries) or isolated and reclaimed at once with
 * their references ignored (PAGEOUT: young bits and TLB entries are left
 * alone, as in 6.18; reclaim's unmap flushes them).  Pages still in another CPU's
 * LRU batch are not on the LRU and are skipped, as in the kernel.
 */
static void madvise_cold_folio(struct madvise_walk_private *mw, struct page *f)
{
	clear_page_flag(f, PG_referenced);
	if (mw->advice != MADV_PAGEOUT_ADVICE)
		folio_deactivate(f);
	else if (folio_isolate_lru(f))
		list_add(&f->lru, &mw->folio_list);
}

static void madvise_cold_pte(struct mm_walk *walk, pteval_t *pte, unsigned long addr,
			     pteval_t old)
{
	struct madvise_walk_private *mw = walk->private;
	bool pageout = mw->advice == MADV_PAGEOUT_ADVICE;
	struct page *p, *f;
	unsigned long nr;

	if (!pte_present(old) || pte_special(old))
		return;
	p = pfn_to_page(pte_pfn(old));
	f = compound_head(p);
	if (folio_test_large(f)) {
		/* a whole one is deactivated or reclaimed as it is, if only
		 * we map it */
		if (madvise_walk_large(mw, walk, pte, addr, p, &nr) > 0 &&
		    folio_mapcount(f) == (int)nr) {
			if (!pageout)
				madvise_clear_ptes(mw->tlb, pte, addr, nr, _PAGE_ACCESSED);
			madvise_cold_folio(mw, f);
		}
		return;
	}
	/* leave shared pages alone */
	if (folio_maybe_mapped_shared(p))
		return;
	/* PAGEOUT leaves young bits (and TLBs) alone: reclaim ignores
	 * references */
	if (!pageout && pte_young(old)) {
		__atomic_fetch_and(pte, ~_PAGE_ACCESSED, __ATOMIC_ACQ_REL);
		tlb_remove_tlb_entry(mw->tlb, addr);
	}
	madvise_cold_folio(mw, p);
}

static int madvise_walk_pte_entry(pteval_t *pte, unsigned long addr, unsigned long next,
				  struct mm_walk *walk)
{
	struct madvise_walk_private *mw = walk->private;

	(void)next;
	if (!madvise_walk_pte_todo(mw, addr))
		return 0;
	if (mw->advice == MADV_FREE_ADVICE)
		madvise_free_pte(walk, pte, addr, pte_read(pte));
	else
		madvise_cold_pte(walk, pte, addr, pte_read(pte));
	return 0;
}

static const struct mm_walk_ops madvise_walk_ops = {
	.pmd_entry = madvise_walk_pmd_entry,
	.pte_entry = madvise_walk_pte_entry,
	.pte_hole = madvise_walk_pte_hole,
	.walk_lock = PGWALK_RDLOCK,
};

/* One advice of the three over [start, end) of @v. */
static void madvise_walk_range(struct vm_area_struct *v, unsigned long start,
			       unsigned long end, int advice)
{
	struct mmu_gather tlb;
	struct madvise_walk_private mw = { .tlb = &tlb, .advice = advice };

	INIT_LIST_HEAD(&mw.folio_list);
	lru_add_drain();
	tlb_gather_mmu(&tlb, v->vm_mm, false);
	walk_page_range_vma(v, start, end, &madvise_walk_ops, &mw);
	madvise_walk_settle(&mw);
	/* swap entries FREE dropped may have been lazily unmapped (LUF) */
	if (advice == MADV_FREE_ADVICE)
		luf_tlb_vma(&tlb, v);
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
	return ksm_compatible(f) ? f | VM_MERGEABLE : f;
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
		madvise_walk_range(v, start, end, MADV_FREE_ADVICE);
		return 0;
	case MADV_REMOVE:
		return madvise_remove(v, start, end);
	case MADV_WILLNEED:
		return 0;
	case MADV_COLD:
	case MADV_PAGEOUT:
		if (v->vm_flags & VM_LOCKED)
			return -EINVAL;
		madvise_walk_range(v, start, end, behavior == MADV_PAGEOUT ?
				   MADV_PAGEOUT_ADVICE : MADV_COLD_ADVICE);
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
