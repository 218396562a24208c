/*
 * khugepaged_collapse.c - the collapse of a chunk of small pages into one
 * new folio (collapse_huge_page / __collapse_huge_page_* in the kernel's
 * mm/khugepaged.c), for the khugepaged scanner and MADV_COLLAPSE
 * (khugepaged.c): allocate, take the locks, revalidate, swap in, isolate,
 * copy, install the PMD or the PTEs, release.
 *
 * The collapse (collapse_folio) follows the mTHP collapse series' protocol:
 *
 *   collapse_locking = mmap_write (default, as upstream):
 *     mmap_lock for writing, the anon_vma for writing; clear the PMD and
 *     flush the TLB, so that neither a CPU nor a lockless walker reaches the
 *     PTE table; isolate and lock the folios without touching the PTEs;
 *     copy into the new folio; replace the PTEs (or deposit the emptied table
 *     beside a new PMD mapping); put the PMD back.  Any failure before the
 *     copy re-maps the untouched table.
 *   collapse_locking = pte_locks (Dev Jain's RFC, for comparison):
 *     mmap_lock for reading only, the anon_vma for writing, and the PMD and
 *     PTE locks held across isolate, clear + flush of the PTEs, copy and
 *     replace: faults elsewhere in the mm go on, faults in the range wait.
 *
 * Locks: the caller holds mmap_lock for reading; collapse_alloc drops it
 * and collapse_lock_mm takes it again (for writing, plus the VMA write lock
 * when per-VMA locks are on; for reading only under pte_locks), then the
 * anon_vma's rwsem for writing; collapse_isolate_table takes the PTE lock
 * (and the PMD lock under pte_locks).  struct collapse records which are
 * held and collapse_unlock releases them.  The isolated folios are locked and off the LRU until
 * release_isolated.  The collapse hook (benchmarks) is read and set with
 * atomics; the error-injection knob is consumed with a compare-exchange.
 */
#include <stdlib.h>
#include <time.h>
#include "khugepaged.h"

/*
 * Error injection (/sys/kernel/mm/mmlab/debug/collapse_fail): the next
 * collapse, by khugepaged or MADV_COLLAPSE, fails at @step, and the knob
 * goes back to "none".  alloc: the new folio cannot be allocated;
 * revalidate: the VMA is found changed after mmap_lock was dropped;
 * isolate: the last folio of the range has one reference more than its
 * mappings (a GUP pin, for the length of the check: SCAN_PAGE_COUNT); lock:
 * that folio is locked by someone else (SCAN_PAGE_LOCK), the others being
 * isolated and locked by then; pmd: the PMD is found changed once the
 * locks are taken.
 */
static bool collapse_fail_at(int step)
{
	int want = step;

	return READ_ONCE(knobs.collapse_fail) == step &&
	       __atomic_compare_exchange_n(&knobs.collapse_fail, &want, COLLAPSE_FAIL_NONE,
					   false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

struct isolated {
	unsigned int nr;
	struct page *folio[HPAGE_PMD_NR];
};

static bool isolated_has(struct isolated *iso, struct page *f)
{
	for (unsigned int i = 0; i < iso->nr; i++)
		if (iso->folio[i] == f)
			return true;
	return false;
}

/* Unlock the isolated folios and give them back to the LRU, dropping the
 * isolation reference (the last one of a folio collapsed away frees it).
 * @collapsed: their contents moved to the new folio; one that nobody maps
 * any more leaves the swap cache too (free_swap_cache in
 * __collapse_huge_page_copy_succeeded), or the swap cache's reference
 * would keep it, unmapped, for good. */
static void release_isolated(struct isolated *iso, bool collapsed)
{
	for (unsigned int i = 0; i < iso->nr; i++) {
		struct page *f = iso->folio[i];

		if (collapsed && PageSwapCache(f) && !folio_mapped(f))
			folio_free_swap(f);
		folio_unlock(f);
		folio_putback_lru(f);
	}
	iso->nr = 0;
}

/*
 * __collapse_huge_page_isolate: lock and isolate every folio mapped in the
 * chunk [pte, pte + nr), checking the limits again; PTEs are not touched.
 */
static int collapse_isolate(struct vm_area_struct *v, pteval_t *pte, unsigned int order,
			    struct collapse_control *cc, struct isolated *iso)
{
	unsigned long nr = 1UL << order;
	unsigned int none = 0, shared = 0, referenced = 0;
	struct page *last = NULL;	/* injections hit the last folio met */

	for (unsigned long i = 0; i < nr; i++) {
		pteval_t e = pte_read(pte + i);

		if (pte_present(e) && !pte_none_or_zero(e) && !pte_special(e))
			last = compound_head(pfn_to_page(pte_pfn(e)));
	}
	for (unsigned long i = 0; i < nr; i++) {
		pteval_t e = pte_read(pte + i);
		struct page *page, *f;
		bool pin;

		if (pte_none_or_zero(e)) {
			if (++none > max_ptes_none_for(order) && cc->is_khugepaged) {
				count_vm_event(THP_SCAN_EXCEED_NONE_PTE);
				return SCAN_EXCEED_NONE_PTE;
			}
			if ((v->vm_flags & VM_UFFD_MISSING))
				return SCAN_EXCEED_NONE_PTE;
			continue;
		}
		if (!pte_present(e))
			return SCAN_PTE_NON_PRESENT;
		if (e & _PAGE_UFFD_WP)
			return SCAN_PTE_UFFD_WP;
		page = pfn_to_page(pte_pfn(e));
		if (pte_special(e))
			return SCAN_PAGE_NULL;
		f = compound_head(page);
		if (!PageAnon(f))
			return SCAN_PAGE_ANON;
		if (folio_maybe_mapped_shared(f)) {
			if (++shared > READ_ONCE(knobs.khugepaged_max_ptes_shared) &&
			    cc->is_khugepaged) {
				count_vm_event(THP_SCAN_EXCEED_SHARED_PTE);
				return SCAN_EXCEED_SHARED_PTE;
			}
		}
		if (pte_young(e) || test_page_flag(f, PG_referenced))
			referenced++;
		if (isolated_has(iso, f))
			continue;
		/* injected: someone else holds the folio lock meanwhile (the
		 * last folio: the others are isolated and locked by then) */
		pin = f == last && collapse_fail_at(COLLAPSE_FAIL_LOCK) && folio_trylock(f);
		if (!folio_trylock(f)) {
			if (pin)
				folio_unlock(f);
			return SCAN_PAGE_LOCK;
		}
		pin = f == last && collapse_fail_at(COLLAPSE_FAIL_ISOLATE);
		if (pin)
			get_page(f);
		/* only the mappings may hold it (and the swap cache) */
		if (page_ref_count(f) != folio_mapcount(f) +
		    (PageSwapCache(f) ? 1 : 0)) {
			if (pin)
				put_page(f);
			folio_unlock(f);
			return SCAN_PAGE_COUNT;
		}
		if (!folio_isolate_lru(f)) {
			folio_unlock(f);
			return SCAN_DEL_PAGE_LRU;
		}
		iso->folio[iso->nr++] = f;
	}
	if (cc->is_khugepaged && !referenced)
		return SCAN_LACK_REFERENCED_PAGE;
	return SCAN_SUCCEED;
}

/* The VMA at @addr still allows a collapse of @order there (after the
 * mmap_lock was dropped: hugepage_vma_revalidate). */
struct vm_area_struct *collapse_revalidate(struct mm_struct *mm, unsigned long addr,
					   unsigned int order, struct collapse_control *cc)
{
	struct vm_area_struct *v = vma_lookup(mm, addr);

	/* the whole PMD range, whatever the order: the collapse hides the
	 * PTE table, which must not hold another VMA's entries (their faults
	 * may run under their own VMA locks meanwhile) */
	if (!v || !READ_ONCE(v->anon_vma) || !thp_vma_suitable_order(v, addr, order) ||
	    !thp_vma_suitable_order(v, addr, HPAGE_PMD_ORDER))
		return NULL;
	if (!(thp_vma_allowable_orders(v, 1UL << order, cc->is_khugepaged) & (1UL << order)))
		return NULL;
	return v;
}

/* Bring swapped pages of the chunk back (__collapse_huge_page_swapin);
 * mmap_lock held for reading. */
static int collapse_swapin(struct vm_area_struct *v, unsigned long addr, unsigned long nr)
{
	for (unsigned long i = 0; i < nr; i++) {
		unsigned long a = addr + (i << PAGE_SHIFT);
		pteval_t *pmd = mm_find_pmd(v->vm_mm, a), *pte, e = 0;

		if (pmd && (pte = pte_offset_map(pmd, a, NULL))) {
			e = pte_read(pte);
			pte_unmap(pte);
		}
		if (!is_swap_pte(e) || non_swap_entry(pte_to_swp_entry(e)))
			continue;
		if (handle_mm_fault(v, a, 0) & (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV))
			return SCAN_PTE_NON_PRESENT;
	}
	return SCAN_SUCCEED;
}

static mmlab_collapse_hook_fn collapse_hook;	/* model-only, benchmarks */

void mmlab_debug_collapse_hook(mmlab_collapse_hook_fn fn)
{
	__atomic_store_n(&collapse_hook, fn, __ATOMIC_RELEASE);
}

static uint64_t host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int __collapse_folio(struct mm_struct *mm, unsigned long addr, unsigned int order,
			    bool swapped, struct collapse_control *cc);

/*
 * Collapse the chunk of @order at @addr into one new folio.  Called with
 * mmap_lock held for reading; returns with it released.
 */
int collapse_folio(struct mm_struct *mm, unsigned long addr, unsigned int order,
		   bool swapped, struct collapse_control *cc)
{
	mmlab_collapse_hook_fn hook = __atomic_load_n(&collapse_hook, __ATOMIC_ACQUIRE);
	struct cpu *c = cur_cpu;
	uint64_t t0, c0;
	int r;

	if (!hook)
		return __collapse_folio(mm, addr, order, swapped, cc);
	t0 = host_ns();
	c0 = c ? c->cycles : 0;
	r = __collapse_folio(mm, addr, order, swapped, cc);
	if (r != SCAN_ALLOC_HUGE_PAGE_FAIL)
		hook(order, r == SCAN_SUCCEED, host_ns() - t0, c ? c->cycles - c0 : 0);
	return r;
}

/*
 * One collapse in progress: what __collapse_folio's steps hand on, and
 * which locks are held (collapse_unlock releases them).
 */
struct collapse {
	struct mm_struct *mm;
	unsigned long addr, haddr, nr;
	unsigned int order;
	bool pte_locks;			/* collapse_locking = pte_locks */
	enum { MM_UNLOCKED, MM_READ, MM_WRITE, MM_WRITE_ALL } mm_lock;
	bool anon_locked;		/* v->anon_vma->root->rwsem for writing */
	struct vm_area_struct *v, *wlocked;
	struct page *folio, *table;	/* the new folio; the PTE table */
	struct isolated *iso;
	pteval_t *pmd, pmdval, *pte;	/* pte: the chunk's first entry */
	spinlock_t *pml, *ptl;
	pteval_t saved[HPAGE_PMD_NR];	/* the chunk's entries, cleared */
	int present;			/* pages copied */
};

/* Allocate the new folio (mmap_lock dropped meanwhile) and the list of
 * isolated folios. */
static int collapse_alloc(struct collapse *c)
{
	up_read(&c->mm->mmap_lock);
	c->mm_lock = MM_UNLOCKED;
	c->folio = collapse_fail_at(COLLAPSE_FAIL_ALLOC) ? NULL : vma_alloc_anon_folio(NULL, 0, c->order);
	if (!c->folio) {
		if (c->order == HPAGE_PMD_ORDER)
			count_vm_event(THP_COLLAPSE_ALLOC_FAILED);
		count_mthp_stat(c->order, MTHP_STAT_COLLAPSE_ALLOC_FAILED);
		return SCAN_ALLOC_HUGE_PAGE_FAIL;
	}
	if (c->order == HPAGE_PMD_ORDER)
		count_vm_event(THP_COLLAPSE_ALLOC);
	count_mthp_stat(c->order, MTHP_STAT_COLLAPSE_ALLOC);
	c->iso = calloc(1, sizeof(*c->iso));
	return c->iso ? SCAN_SUCCEED : SCAN_FAIL;
}

/*
 * Take mmap_lock again and check the VMA; bring swapped pages back; then,
 * for mmap_write, take it for writing (and this VMA's lock: faults in
 * other VMAs go on under their own VMA locks) and check again.  Ends with
 * the anon_vma locked for writing.
 */
static int collapse_lock_mm(struct collapse *c, bool swapped, struct collapse_control *cc)
{
	struct mm_struct *mm = c->mm;
	int result;

	down_read(&mm->mmap_lock);
	c->mm_lock = MM_READ;
	c->v = collapse_revalidate(mm, c->addr, c->order, cc);
	if (!c->v || collapse_fail_at(COLLAPSE_FAIL_REVALIDATE))
		return SCAN_VMA_CHECK;
	if (swapped && (result = collapse_swapin(c->v, c->addr, c->nr)) != SCAN_SUCCEED)
		return result;
	if (!c->pte_locks) {
		up_read(&mm->mmap_lock);
		if (!READ_ONCE(knobs.per_vma_lock)) {
			mmap_write_lock(mm);	/* every fault waits */
			c->mm_lock = MM_WRITE_ALL;
		} else {
			down_write(&mm->mmap_lock);
			c->mm_lock = MM_WRITE;
		}
		c->v = collapse_revalidate(mm, c->addr, c->order, cc);
		if (c->v && c->mm_lock == MM_WRITE) {
			vma_start_write(c->v);
			c->wlocked = c->v;
		}
		if (!c->v)
			return SCAN_VMA_CHECK;
	}
	down_write(&c->v->anon_vma->root->rwsem);
	c->anon_locked = true;
	return SCAN_SUCCEED;
}

/*
 * Find the PTE table and lock it (mmap_write: detach it from the PMD
 * first and flush, so that no CPU and no lockless walker reaches it), then
 * isolate and lock the chunk's folios.  On success the PTE lock is held
 * (and the PMD lock, for pte_locks); on failure the table is as it was and
 * no table lock is held.
 */
static int collapse_isolate_table(struct collapse *c, struct collapse_control *cc)
{
	struct mm_struct *mm = c->mm;
	int result;

	rcu_read_lock();
	c->pmd = mm_find_pmd(mm, c->haddr);
	c->pmdval = c->pmd ? pte_read(c->pmd) : 0;
	rcu_read_unlock();
	if (!c->pmd || pte_none(c->pmdval) || pmd_leaf(c->pmdval))
		return c->pmd && pmd_leaf(c->pmdval) ? SCAN_PMD_MAPPED : SCAN_PMD_NULL;
	c->pml = pmd_lockptr(c->pmd);
	spin_lock(c->pml);
	c->pmdval = pte_read(c->pmd);
	if (pte_none(c->pmdval) || pmd_leaf(c->pmdval) || collapse_fail_at(COLLAPSE_FAIL_PMD)) {
		spin_unlock(c->pml);
		return SCAN_PMD_NULL;
	}
	c->table = pfn_to_page(pte_pfn(c->pmdval));
	c->ptl = &c->table->ptl;
	if (!c->pte_locks) {
		inc_tlb_flush_pending(mm);
		pte_write(c->pmd, 0);
		spin_unlock(c->pml);
		flush_tlb_mm_range(mm, c->haddr, c->haddr + PMD_SIZE, PAGE_SHIFT, true);
		dec_tlb_flush_pending(mm);
	}
	spin_lock(c->ptl);
	c->pte = table_of(page_to_pfn(c->table)) + pte_index(c->addr);
	rmap_walk_held(c->v->anon_vma->root, mm);
	result = collapse_isolate(c->v, c->pte, c->order, cc, c->iso);
	rmap_walk_held(NULL, NULL);
	if (result != SCAN_SUCCEED) {
		spin_unlock(c->ptl);
		if (!c->pte_locks) {
			/* back off: the table was not touched, map it again */
			spin_lock(c->pml);
			pte_write(c->pmd, c->pmdval);
		}
		spin_unlock(c->pml);
		release_isolated(c->iso, false);
	}
	return result;
}

/* Clear the chunk's entries (and flush for pte_locks: the PMD still leads
 * CPUs to them) and copy their pages into the new folio. */
static void collapse_copy(struct collapse *c)
{
	struct vm_area_struct *v = c->v;

	/*
	 * mmap_write, PMD order: every folio mapped through the table is now
	 * isolated and locked, so no rmap walk has business in it, and the
	 * anon_vma lock can go before the copy (as upstream).  An mTHP order
	 * isolated only its chunk: the rest of the table may hold migration
	 * entries of a folio another CPU is splitting or migrating, whose
	 * rmap walk must not run while the PMD is cleared (it would find no
	 * table and leave those entries behind for good): keep the lock until
	 * the PMD is back.
	 */
	if (!c->pte_locks && c->order == HPAGE_PMD_ORDER) {
		up_write(&v->anon_vma->root->rwsem);
		c->anon_locked = false;
	}
	inc_tlb_flush_pending(c->mm);
	for (unsigned long i = 0; i < c->nr; i++)
		c->saved[i] = pte_xchg(c->pte + i, 0);
	if (c->pte_locks)
		flush_tlb_mm_range(c->mm, c->addr, c->addr + (c->nr << PAGE_SHIFT), PAGE_SHIFT, false);
	dec_tlb_flush_pending(c->mm);
	for (unsigned long i = 0; i < c->nr; i++) {
		pteval_t e = c->saved[i];
		struct page *page;

		if (pte_none_or_zero(e))
			continue;	/* the new folio is zeroed */
		page = pfn_to_page(pte_pfn(e));
		copy_highpage(c->folio + i, page);
		if (pte_dirty(e))
			SetPageDirty(page);
		page_remove_rmap(page, v);
		c->present++;
	}
}

/* The new folio of PMD order replaces the table, which is deposited
 * beside it for a later split; the table locks are released. */
static void collapse_install_pmd(struct collapse *c)
{
	struct vm_area_struct *v = c->v;
	pteval_t huge = pfn_pte(page_to_pfn(c->folio), v->vm_page_prot) | _PAGE_PSE |
			_PAGE_ACCESSED;

	if (v->vm_flags & VM_WRITE)
		huge = pte_mkwrite_prot(huge);
	/*
	 * pte_locks: the PMD still points at the emptied table, and the PTE
	 * lock is what keeps faults (mmap_lock for reading) out of it: hold
	 * it until the PMD maps the THP, or a fault fills PTEs in a table
	 * that is about to be deposited, never to be zapped (a leaked,
	 * orphaned folio and a lost write).  A waiter's pte_offset_map_lock
	 * then sees the huge PMD and retries.
	 */
	if (!c->pte_locks) {
		spin_unlock(c->ptl);
		spin_lock(c->pml);
	}
	folio_add_new_anon_rmap_large(c->folio, v, c->haddr, true);
	if (v->vm_flags & VM_WRITE)
		luf_flush_write(v, c->folio);
	/* the emptied table stays beside the THP for a later split */
	c->table->index = c->haddr;
	list_add(&c->table->lru, &virt_to_table_page(c->pmd)->lru);
	pte_write(c->pmd, huge);
	if (c->pte_locks)
		spin_unlock(c->ptl);
	spin_unlock(c->pml);
}

/* An mTHP order: the new folio's PTEs replace the chunk's, and the table
 * goes back under the PMD; the table locks are released. */
static void collapse_install_ptes(struct collapse *c)
{
	struct vm_area_struct *v = c->v;
	pteval_t e = pfn_pte(page_to_pfn(c->folio), v->vm_page_prot) | _PAGE_ACCESSED;

	if (v->vm_flags & VM_WRITE)
		e = pte_mkwrite_prot(e);
	atomic_add(&c->folio->_refcount, (int)c->nr - 1);	/* one per PTE */
	folio_add_new_anon_rmap_large(c->folio, v, c->addr, false);
	if (v->vm_flags & VM_WRITE)
		luf_flush_write(v, c->folio);
	for (unsigned long i = 0; i < c->nr; i++)
		pte_write(c->pte + i, e + (i << PAGE_SHIFT));
	spin_unlock(c->ptl);
	if (!c->pte_locks)
		spin_lock(c->pml);
	pte_write(c->pmd, c->pmdval);
	spin_unlock(c->pml);
	count_vm_event(MMLAB_MTHP_COLLAPSE);
}

/* After the install: the counters, the new folio onto the LRU, the old
 * folios' mapping references and then their isolation's. */
static void collapse_finish(struct collapse *c, struct collapse_control *cc)
{
	add_mm_counter(c->mm, MM_ANONPAGES, (long)c->nr - c->present);
	if (c->anon_locked) {
		up_write(&c->v->anon_vma->root->rwsem);
		c->anon_locked = false;
	}
	folio_add_lru_vma(c->folio, c->v);
	c->folio = NULL;
	for (unsigned long i = 0; i < c->nr; i++)
		if (!pte_none_or_zero(c->saved[i]))
			put_page(pfn_to_page(pte_pfn(c->saved[i])));
	release_isolated(c->iso, true);
	if (cc->is_khugepaged)
		knobs.khugepaged_pages_collapsed++;
}

/* Release what the collapse still holds: the anon_vma, the VMA's write
 * lock, mmap_lock, and a new folio that was not installed. */
static void collapse_unlock(struct collapse *c)
{
	if (c->anon_locked)
		up_write(&c->v->anon_vma->root->rwsem);
	if (c->wlocked)
		vma_end_write(c->wlocked);
	if (c->mm_lock == MM_READ)
		up_read(&c->mm->mmap_lock);
	else if (c->mm_lock == MM_WRITE_ALL)
		mmap_write_unlock(c->mm);
	else if (c->mm_lock == MM_WRITE)
		up_write(&c->mm->mmap_lock);
	if (c->folio)
		put_page(c->folio);
	free(c->iso);
}

static int __collapse_folio(struct mm_struct *mm, unsigned long addr, unsigned int order,
			    bool swapped, struct collapse_control *cc)
{
	struct collapse collapse = {
		.mm = mm, .addr = addr, .haddr = addr & PMD_MASK, .nr = 1UL << order,
		.order = order, .mm_lock = MM_READ,
		.pte_locks = READ_ONCE(knobs.collapse_locking) == COLLAPSE_PTE_LOCKS,
	}, *c = &collapse;
	int result;

	result = collapse_alloc(c);
	if (result == SCAN_SUCCEED)
		result = collapse_lock_mm(c, swapped, cc);
	if (result == SCAN_SUCCEED)
		result = collapse_isolate_table(c, cc);
	if (result == SCAN_SUCCEED) {
		collapse_copy(c);
		if (order == HPAGE_PMD_ORDER)
			collapse_install_pmd(c);
		else
			collapse_install_ptes(c);
		collapse_finish(c, cc);
	}
	collapse_unlock(c);
	return result;
}
