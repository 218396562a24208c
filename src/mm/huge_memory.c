/*
 * huge_memory.c - transparent huge pages: which orders a VMA may use, PMD
 * mappings of 2 MiB anonymous folios (fault, huge zero page, write fault,
 * fork, zap, mprotect), splitting a PMD into a PTE table, and the deferred
 * split queue (the folio split itself is split_huge_page.c).
 *
 * Locks: a PMD entry changes under the PMD lock (ptl of the PMD table's
 * struct page).  A PMD-mapped THP has a PTE table deposited beside it (the
 * kernel's pgtable_trans_huge_deposit, counted in VmPTE) on the PMD table's
 * lru list, under the same lock; splitting the PMD fills that table and
 * installs it, with the PMD cleared and flushed in between so that no TLB
 * holds a 2 MiB and a 4 KiB entry of the range at once.
 */
#include <stdlib.h>
#include "gup.h"
#include "shmem_huge.h"

static spinlock_t split_queue_lock;
static unsigned long *split_queue;	/* pfns of heads */
static unsigned long split_queue_len, split_queue_cap;
struct page *huge_zero_folio;
unsigned long huge_zero_pfn = ~0UL;
static spinlock_t huge_zero_lock;

uint64_t mthp_stat[NR_THP_SIZES][NR_MTHP_STAT];

__attribute__((constructor)) static void huge_memory_locks_init(void)
{
	spin_lock_init(&huge_zero_lock);
	spin_lock_init(&split_queue_lock);
}

/* A new machine: nothing of the last one's THP state survives. */
void thp_init(void)
{
	huge_zero_folio = NULL;
	huge_zero_pfn = ~0UL;
	__atomic_store_n(&split_queue_len, 0, __ATOMIC_RELAXED);
	memset(mthp_stat, 0, sizeof(mthp_stat));
}

void mod_mthp_stat(unsigned int order, enum mthp_stat_item item, long delta)
{
	if (order >= 2 && order <= 9)
		__atomic_fetch_add(&mthp_stat[order - 2][item], (uint64_t)delta, __ATOMIC_RELAXED);
}

void count_mthp_stat(unsigned int order, enum mthp_stat_item item)
{
	mod_mthp_stat(order, item, 1);
}

bool is_huge_zero_pmd(pteval_t v)
{
	return pte_pfn(v) == READ_ONCE(huge_zero_pfn);
}

/* The huge zero folio, allocated at first use and kept (the model never
 * shrinks it). */
static bool get_huge_zero_folio(void)
{
	struct page *f;

	if (READ_ONCE(huge_zero_folio))
		return true;
	f = alloc_pages_node(-1, HPAGE_PMD_ORDER, GFP_ZERO | GFP_NORECLAIM);
	if (!f)
		return false;
	spin_lock(&huge_zero_lock);
	if (!huge_zero_folio) {
		prep_compound_page(f, HPAGE_PMD_ORDER);
		for (int i = 0; i < HPAGE_PMD_NR; i++)
			set_page_flag(f + i, PG_reserved);
		WRITE_ONCE(huge_zero_pfn, page_to_pfn(f));
		__atomic_store_n(&huge_zero_folio, f, __ATOMIC_RELEASE);
		count_vm_event(THP_ZERO_PAGE_ALLOC);
		f = NULL;
	}
	spin_unlock(&huge_zero_lock);
	if (f) {
		/* another CPU's won: ours goes back, its reference dropped */
		atomic_set(&f->_refcount, 0);
		__free_pages(f, HPAGE_PMD_ORDER);
	}
	return true;
}

/* ---- which orders ---- */

bool thp_size_allowed(unsigned int order, unsigned long vm_flags)
{
	int mode = READ_ONCE(knobs.thp_size_enabled[order - 2]);

	if (mode == THPS_INHERIT) {
		int top = READ_ONCE(knobs.thp_enabled);

		return top == THP_ALWAYS || (top == THP_MADVISE && (vm_flags & VM_HUGEPAGE));
	}
	return mode == THPS_ALWAYS || (mode == THPS_MADVISE && (vm_flags & VM_HUGEPAGE));
}

/* Does a naturally aligned folio of @order around @addr fit in the VMA? */
bool thp_vma_suitable_order(struct vm_area_struct *v, unsigned long addr, unsigned int order)
{
	unsigned long size = PAGE_SIZE << order, start = addr & ~(size - 1);

	/* a file's pages must sit at their file offset; anonymous memory's
	 * vm_pgoff is only where the VMA was first mapped (mremap keeps it) */
	if (!vma_is_anonymous(v) &&
	    (((v->vm_start >> PAGE_SHIFT) - v->vm_pgoff) & ((1UL << order) - 1)))
		return false;
	return start >= v->vm_start && start + size <= v->vm_end;
}

/*
 * The orders in @orders (bit n = order n) that the VMA may use for
 * anonymous THPs.  With @enforce_sysfs false (MADV_COLLAPSE) the sysfs
 * modes do not matter, VM_NOHUGEPAGE still does.
 */
unsigned long thp_vma_allowable_orders(struct vm_area_struct *v, unsigned long orders,
				       bool enforce_sysfs)
{
	unsigned long ok = 0;

	if (!vma_is_anonymous(v) || vma_thp_disabled(v, v->vm_flags, !enforce_sysfs))
		return 0;
	for (unsigned int o = 2; o <= HPAGE_PMD_ORDER; o++)
		if ((orders & (1UL << o)) && (!enforce_sysfs || thp_size_allowed(o, v->vm_flags)))
			ok |= 1UL << o;
	return ok;
}

/* ---- deposited PTE tables ---- */

static void pgtable_deposit(pteval_t *pmd, struct page *table)
{
	list_add(&table->lru, &virt_to_table_page(pmd)->lru);
}

static struct page *pgtable_withdraw(pteval_t *pmd)
{
	struct page *pmdt = virt_to_table_page(pmd), *t;

	BUG_ON(list_empty(&pmdt->lru));
	t = list_entry(pmdt->lru.next, struct page, lru);
	list_del(&t->lru);
	return t;
}

/* A deposited table never was reachable by a walker: free it now. */
static void pgtable_free_withdrawn(struct mm_struct *mm, struct page *t)
{
	mm_dec_nr_ptes(mm);
	pte_free_rcu(t);
}

/* Does the PMD mapping @v have a PTE table deposited beside it?  Anonymous
 * THPs and the huge zero page do; a shmem THP's PMD has none (x86 deposits
 * only for anonymous memory): its split leaves the range to refault. */
bool pmd_has_deposit(pteval_t v)
{
	return is_huge_zero_pmd(v) || PageAnon(pfn_to_page(pte_pfn(v)));
}

/* ---- faults ---- */

static pteval_t mk_huge_pmd(unsigned long pfn, struct vm_area_struct *v)
{
	pteval_t e = pfn_pte(pfn, v->vm_page_prot) | _PAGE_PSE | _PAGE_ACCESSED;

	if (v->vm_flags & VM_WRITE)
		e = pte_mkwrite_prot(e);
	return e;
}

/* Map a new THP (already zeroed) at the PMD; the PMD lock is held and the
 * entry is none.  Takes the folio's mapping and the table. */
static void map_anon_folio_pmd(struct vm_area_struct *v, pteval_t *pmd, unsigned long haddr,
			       struct page *folio, struct page *table)
{
	folio_add_new_anon_rmap_large(folio, v, haddr, true);
	pgtable_deposit(pmd, table);
	mm_inc_nr_ptes(v->vm_mm);
	add_mm_counter(v->vm_mm, MM_ANONPAGES, HPAGE_PMD_NR);
	/* LUF: no CPU may read an older copy of this range meanwhile */
	if (v->vm_flags & VM_WRITE)
		luf_flush_write(v, folio);
	pte_write(pmd, mk_huge_pmd(page_to_pfn(folio), v));
}

/* A THP a fault allocated and mapped: onto the LRU, and counted. */
static void thp_fault_alloc_done(struct vm_area_struct *v, struct page *folio)
{
	folio_add_lru_vma(folio, v);
	count_vm_event(THP_FAULT_ALLOC);
	count_mthp_stat(HPAGE_PMD_ORDER, MTHP_STAT_ANON_FAULT_ALLOC);
}

/* A large folio for a fault at @addr of @v (NULL: khugepaged's, on the
 * local node), placed by the VMA's memory policy: no direct reclaim
 * (defrag as "madvise" lets kswapd and compaction work in the background,
 * which the model has not). */
struct page *vma_alloc_anon_folio(struct vm_area_struct *v, unsigned long addr,
				  unsigned int order)
{
	struct page *f = vma_alloc_folio(v, addr, order,
					 GFP_ZERO | GFP_NODATA_OK | GFP_NORECLAIM);

	if (f)
		prep_compound_page(f, order);
	return f;
}

int do_huge_pmd_anonymous_page(struct vm_area_struct *v, pteval_t *pmd,
			       unsigned long addr, unsigned int flags)
{
	struct mm_struct *mm = v->vm_mm;
	unsigned long haddr = addr & PMD_MASK;
	spinlock_t *ptl = pmd_lockptr(pmd);
	struct page *folio = NULL, *table;

	/* a VMA registered for missing faults takes them page by page; one
	 * registered for wp only still gets a THP (userfaultfd_missing) */
	if (!thp_vma_suitable_order(v, haddr, HPAGE_PMD_ORDER) || (v->vm_flags & VM_UFFD_MISSING))
		return VM_FAULT_FALLBACK;
	if (anon_vma_prepare(v))
		return VM_FAULT_OOM;
	if (!(flags & FAULT_FLAG_WRITE) && !mm_forbids_zeropage(mm) &&
	    READ_ONCE(knobs.thp_use_zero_page) && get_huge_zero_folio()) {
		table = pte_alloc_one(mm);
		if (!table)
			return VM_FAULT_OOM;
		spin_lock(ptl);
		if (!pte_none(pte_read(pmd))) {
			spin_unlock(ptl);
			pte_free_rcu(table);
			return 0;
		}
		pgtable_deposit(pmd, table);
		mm_inc_nr_ptes(mm);
		pte_write(pmd, pfn_pte(huge_zero_pfn, v->vm_page_prot & ~_PAGE_RW) |
			  _PAGE_PSE | _PAGE_SPECIAL | _PAGE_ACCESSED);
		spin_unlock(ptl);
		return 0;
	}
	folio = vma_alloc_anon_folio(v, haddr, HPAGE_PMD_ORDER);
	if (!folio) {
		count_vm_event(THP_FAULT_FALLBACK);
		count_mthp_stat(HPAGE_PMD_ORDER, MTHP_STAT_ANON_FAULT_FALLBACK);
		return VM_FAULT_FALLBACK;
	}
	table = pte_alloc_one(mm);
	if (!table) {
		put_page(folio);
		return VM_FAULT_OOM;
	}
	spin_lock(ptl);
	if (!pte_none(pte_read(pmd))) {
		spin_unlock(ptl);
		pte_free_rcu(table);
		put_page(folio);
		return 0;
	}
	map_anon_folio_pmd(v, pmd, haddr, folio, table);
	spin_unlock(ptl);
	thp_fault_alloc_done(v, folio);
	return 0;
}

/* Access to a present PMD: set Accessed (and Dirty for a write). */
void huge_pmd_set_accessed(pteval_t *pmd, pteval_t orig, bool write)
{
	pteval_t n = orig | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);

	if (n != orig)
		pte_cmpxchg(pmd, orig, n);
}

/* A write to the huge zero page maps a new THP in its place (6.14+). */
static int do_huge_zero_wp_pmd(struct vm_area_struct *v, pteval_t *pmd,
			       unsigned long addr, pteval_t orig)
{
	spinlock_t *ptl = pmd_lockptr(pmd);
	struct page *folio, *table;
	unsigned long haddr = addr & PMD_MASK;

	if (anon_vma_prepare(v))
		return VM_FAULT_OOM;
	folio = vma_alloc_anon_folio(v, haddr, HPAGE_PMD_ORDER);
	if (!folio) {
		count_vm_event(THP_FAULT_FALLBACK);
		__split_huge_pmd(v, pmd, addr);
		return VM_FAULT_FALLBACK;
	}
	spin_lock(ptl);
	if (pte_read(pmd) != orig) {
		spin_unlock(ptl);
		put_page(folio);
		return 0;
	}
	inc_tlb_flush_pending(v->vm_mm);
	pte_write(pmd, 0);
	flush_tlb_mm_range(v->vm_mm, haddr, haddr + PMD_SIZE, PMD_SHIFT, false);
	dec_tlb_flush_pending(v->vm_mm);
	table = pgtable_withdraw(pmd);
	mm_dec_nr_ptes(v->vm_mm);
	map_anon_folio_pmd(v, pmd, haddr, folio, table);
	spin_unlock(ptl);
	thp_fault_alloc_done(v, folio);
	return 0;
}

/*
 * A write to a write-protected PMD-mapped THP: keep it if this mapping
 * owns it (exclusive, or the only reference), otherwise split the PMD and
 * let the PTE-level fault copy the one page (6.18 does not copy 2 MiB).
 */
int do_huge_pmd_wp_page(struct vm_area_struct *v, pteval_t *pmd, unsigned long addr,
			pteval_t orig, bool unshare)
{
	spinlock_t *ptl = pmd_lockptr(pmd);
	struct page *folio;

	if (is_huge_zero_pmd(orig))
		return do_huge_zero_wp_pmd(v, pmd, addr, orig);
	spin_lock(ptl);
	if (pte_read(pmd) != orig) {
		spin_unlock(ptl);
		return 0;
	}
	folio = pfn_to_page(pte_pfn(orig));
	if (!PageAnonExclusive(folio)) {
		if (!folio_trylock(folio))
			goto fallback;
		if (page_ref_count(folio) != 1) {
			folio_unlock(folio);
			goto fallback;
		}
		folio_move_anon_rmap(folio, v);
		for (int i = 0; i < HPAGE_PMD_NR; i++)
			SetPageAnonExclusive(folio + i);
		folio_unlock(folio);
	}
	if (unshare) {
		/* exclusive now: a read-only pin may take it as it is */
		spin_unlock(ptl);
		return 0;
	}
	debug_check_exclusive(folio, v, addr, (swp_entry_t){ 0 });
	/* reuse: upgrading needs no flush (but LUF's pending one) */
	luf_flush_write(v, folio);
	/* maybe_pmd_mkwrite: not for a FOLL_FORCE write into a read-only VMA */
	pte_write(pmd, ((v->vm_flags & VM_WRITE) ? pte_mkwrite_prot(orig) : pte_mkdirty(orig)) |
		  _PAGE_ACCESSED);
	spin_unlock(ptl);
	count_vm_event(MMLAB_COW_REUSES);
	return 0;
fallback:
	spin_unlock(ptl);
	__split_huge_pmd(v, pmd, addr);
	return VM_FAULT_FALLBACK;
}

/* pmd_trans_huge_lock: the PMD lock, held, if *pmd is a PMD mapping (its
 * value in *val); NULL (not held) otherwise. */
spinlock_t *pmd_trans_huge_lock(pteval_t *pmd, pteval_t *val)
{
	spinlock_t *ptl = pmd_lockptr(pmd);

	spin_lock(ptl);
	*val = pte_read(pmd);
	if (pmd_leaf(*val))
		return ptl;
	spin_unlock(ptl);
	return NULL;
}

/*
 * pmdp_invalidate: take the PMD mapping at @pmd out of every TLB while it
 * changes, without letting it look empty.  The entry keeps its PSE bit and
 * trades Present for PROT_NONE (x86's pmd_mkinvalid, whose pmd_present
 * still counts PSE): the hardware walker faults on it, and a walker that
 * reads it without the lock (a zap, fork, a fault) sees a PMD mapping, so
 * it takes the PMD lock and finds the outcome.  A none entry instead would
 * let a zap skip the range and free_pgtables then free a table the split
 * is filling.  The PMD lock is held until the entry gets its final value.
 * debug/pmd_invalid_window adds that many scheduling points here, so that
 * a test can aim another thread at the window.  Returns the old entry.
 */
pteval_t pmdp_invalidate(struct vm_area_struct *v, unsigned long haddr, pteval_t *pmd)
{
	pteval_t old;

	inc_tlb_flush_pending(v->vm_mm);
	/* in one step: an Accessed or Dirty bit a CPU sets meanwhile is in
	 * the old entry returned, not lost */
	do
		old = pte_read(pmd);
	while (!pte_cmpxchg(pmd, old, (old & ~_PAGE_PRESENT) | _PAGE_PROTNONE | _PAGE_PSE));
	if (pte_hw_present(old))
		flush_tlb_mm_range(v->vm_mm, haddr, haddr + PMD_SIZE, PMD_SHIFT, false);
	dec_tlb_flush_pending(v->vm_mm);
	for (unsigned int i = READ_ONCE(knobs.pmd_invalid_window); i; i--)
		sched_point();
	return old;
}

/* ---- zap, fork, mprotect ---- */

/* Zap a whole PMD mapping; returns false if it was split under us. */
bool zap_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *v, pteval_t *pmd,
		  unsigned long addr)
{
	struct page *folio;
	pteval_t old;
	spinlock_t *ptl = pmd_trans_huge_lock(pmd, &old);

	if (!ptl)
		return false;
	pte_write(pmd, 0);
	tlb_remove_tlb_entry(tlb, addr);
	tlb_remove_tlb_entry(tlb, addr + PMD_SIZE - PAGE_SIZE);
	if (pmd_has_deposit(old))
		pgtable_free_withdrawn(tlb->mm, pgtable_withdraw(pmd));
	if (is_huge_zero_pmd(old)) {
		spin_unlock(ptl);
		return true;
	}
	folio = pfn_to_page(pte_pfn(old));
	folio_remove_rmap_pmd(folio, v);
	add_mm_counter(tlb->mm, mm_counter(folio), -HPAGE_PMD_NR);
	spin_unlock(ptl);
	if (tlb_remove_page(tlb, folio))
		tlb_flush_mmu(tlb);
	return true;
}

/*
 * mremap: move the PMD mapping at @old_addr whole to @new_pmd (both
 * PMD-aligned), with its deposited PTE table; false when it is no PMD
 * mapping any more or the destination is taken.  Soft-dirty marks the
 * move; a VMA registered for uffd-wp loses the bit (its registration does
 * not follow).  mmap_lock held for writing; the PMD locks of both sides.
 */
bool move_huge_pmd(struct vm_area_struct *v, unsigned long old_addr, pteval_t *old_pmd,
		   pteval_t *new_pmd)
{
	return move_huge_pmd_same(v, old_addr, old_pmd, new_pmd, 0);
}

/* move_huge_pmd, only while *@old_pmd is still @expect (0: any PMD
 * mapping): UFFDIO_MOVE re-indexes the folio it locked, not another that a
 * zap and a fault put there meanwhile. */
bool move_huge_pmd_same(struct vm_area_struct *v, unsigned long old_addr, pteval_t *old_pmd,
			pteval_t *new_pmd, pteval_t expect)
{
	spinlock_t *old_ptl, *new_ptl = pmd_lockptr(new_pmd);
	pteval_t pmd;

	if (!pte_none(pte_read(new_pmd)))
		return false;
	old_ptl = pmd_trans_huge_lock(old_pmd, &pmd);
	if (!old_ptl)
		return false;
	if (expect && pmd != expect) {
		spin_unlock(old_ptl);
		return false;
	}
	if (new_ptl != old_ptl)
		spin_lock(new_ptl);
	pmd = pte_xchg(old_pmd, 0);
	if (new_ptl != old_ptl && (!pte_present(pmd) || pmd_has_deposit(pmd)))
		pgtable_deposit(new_pmd, pgtable_withdraw(old_pmd));
	if (READ_ONCE(knobs.soft_dirty))
		pmd |= _PAGE_SOFT_DIRTY;
	if (v->vm_flags & VM_UFFD_WP)
		pmd &= ~_PAGE_UFFD_WP;
	pte_write(new_pmd, pmd);
	if (pte_hw_present(pmd))
		flush_tlb_mm_range(v->vm_mm, old_addr, old_addr + PMD_SIZE, PMD_SHIFT, false);
	if (new_ptl != old_ptl)
		spin_unlock(new_ptl);
	spin_unlock(old_ptl);
	return true;
}

/* fork: share the THP read-only with the child (copy_huge_pmd).  Returns
 * -EAGAIN when the PMD is no longer huge (split meanwhile), or when the
 * THP is exclusive and may be pinned (split here): copy PTEs. */
int copy_huge_pmd(struct vm_area_struct *dst, struct vm_area_struct *src,
		  pteval_t *dst_pmd, pteval_t *src_pmd, unsigned long addr)
{
	struct page *table = pte_alloc_one(dst->vm_mm), *folio;
	spinlock_t *dptl = pmd_lockptr(dst_pmd), *sptl = pmd_lockptr(src_pmd);
	pteval_t v;

	if (!table)
		return -ENOMEM;
	spin_lock(dptl);
	spin_lock(sptl);
	v = pte_read(src_pmd);
	if (!pmd_leaf(v)) {
		spin_unlock(sptl);
		spin_unlock(dptl);
		pte_free_rcu(table);
		return -EAGAIN;
	}
	if (!pmd_has_deposit(v)) {
		/* a shmem THP: the child refaults it (copy_huge_pmd skips
		 * what is not anonymous) */
		spin_unlock(sptl);
		spin_unlock(dptl);
		pte_free_rcu(table);
		return 0;
	}
	if (!is_huge_zero_pmd(v)) {
		folio = pfn_to_page(pte_pfn(v));
		if (PageAnonExclusive(folio) && folio_needs_cow_for_dma(src, folio)) {
			/* maybe pinned: the child gets copies, page by page */
			spin_unlock(sptl);
			spin_unlock(dptl);
			pte_free_rcu(table);
			__split_huge_pmd(src, src_pmd, addr);
			return -EAGAIN;
		}
		get_page(folio);
		for (int i = 0; i < HPAGE_PMD_NR; i++)
			ClearPageAnonExclusive(folio + i);
		folio_add_anon_rmap_pmd(folio, dst);
		add_mm_counter(dst->vm_mm, MM_ANONPAGES, HPAGE_PMD_NR);
		if (pte_write_bit(v)) {
			__atomic_fetch_and(src_pmd, ~_PAGE_RW, __ATOMIC_ACQ_REL);
			v &= ~_PAGE_RW;
		}
	}
	pgtable_deposit(dst_pmd, table);
	mm_inc_nr_ptes(dst->vm_mm);
	if (!(dst->vm_flags & VM_UFFD_WP))
		v &= ~_PAGE_UFFD_WP;
	pte_write(dst_pmd, v & ~_PAGE_ACCESSED);
	spin_unlock(sptl);
	spin_unlock(dptl);
	return 0;
}

/* mprotect of a whole PMD mapping: change it in place.  Returns false
 * when the PMD is no longer huge. */
bool change_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *v, pteval_t *pmd,
		     unsigned long addr, pteval_t newprot, unsigned int cp_flags)
{
	pteval_t old, n;
	spinlock_t *ptl = pmd_trans_huge_lock(pmd, &old);

	if (!ptl)
		return false;
	n = pte_modify(old, newprot) | _PAGE_PSE;
	/* userfaultfd protects or resolves the PMD as it is; only mprotect
	 * makes it writable (MM_CP_TRY_CHANGE_WRITABLE) */
	if (cp_flags & MM_CP_UFFD_WP)
		n = (n | _PAGE_UFFD_WP) & ~_PAGE_RW;
	else if (cp_flags & MM_CP_UFFD_WP_RESOLVE)
		n &= ~_PAGE_UFFD_WP;
	if (is_huge_zero_pmd(old))
		n &= ~_PAGE_RW;
	else if (!cp_flags && (v->vm_flags & VM_WRITE) && pte_hw_present(n) && !pte_write_bit(n) &&
		 !(n & _PAGE_UFFD_WP) && PageAnonExclusive(pfn_to_page(pte_pfn(old))))
		n |= _PAGE_RW;	/* can_change_pmd_writable: exclusive anon */
	if (n != old) {
		pte_write(pmd, n);
		if ((pte_write_bit(old) && !pte_write_bit(n)) ||
		    (pte_hw_present(old) && !pte_hw_present(n)) ||
		    ((old & _PAGE_NX) != (n & _PAGE_NX))) {
			tlb_remove_tlb_entry(tlb, addr);
			tlb_remove_tlb_entry(tlb, addr + PMD_SIZE - PAGE_SIZE);
		}
	}
	spin_unlock(ptl);
	return true;
}

/*
 * MADV_FREE, MADV_COLD and MADV_PAGEOUT over a whole PMD mapping act on
 * the THP in place (madvise_free_huge_pmd, madvise_cold_or_pageout's PMD
 * part): a folio this mm does not map alone is left alone; FREE makes it
 * clean and lazily freeable, COLD deactivates it, PAGEOUT isolates it onto
 * @list for reclaim (which splits it).  False: not a PMD mapping any more.
 */
bool madvise_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *v, pteval_t *pmd,
		      unsigned long addr, int advice, struct list_head *list)
{
	struct page *folio;
	pteval_t old;
	spinlock_t *ptl = pmd_trans_huge_lock(pmd, &old);

	if (!ptl)
		return false;
	if (is_huge_zero_pmd(old) || !pte_present(old)) {
		spin_unlock(ptl);
		return true;
	}
	folio = pfn_to_page(pte_pfn(old));
	if (folio_maybe_mapped_shared(folio)) {
		spin_unlock(ptl);
		return true;
	}
	if (advice == MADV_FREE_ADVICE) {
		if (PageDirty(folio) && folio_trylock(folio)) {
			clear_page_flag(folio, PG_dirty);
			folio_unlock(folio);
		}
		if (old & (_PAGE_DIRTY | _PAGE_ACCESSED)) {
			pte_write(pmd, old & ~(_PAGE_DIRTY | _PAGE_ACCESSED));
			tlb_remove_tlb_entry(tlb, addr);
			tlb_remove_tlb_entry(tlb, addr + PMD_SIZE - PAGE_SIZE);
		}
		spin_unlock(ptl);
		if (!PageDirty(folio))
			folio_mark_lazyfree(folio);
		return true;
	}
	if (advice != MADV_PAGEOUT_ADVICE && pte_young(old)) {	/* COLD only */
		__atomic_fetch_and(pmd, ~_PAGE_ACCESSED, __ATOMIC_ACQ_REL);
		tlb_remove_tlb_entry(tlb, addr);
		tlb_remove_tlb_entry(tlb, addr + PMD_SIZE - PAGE_SIZE);
	}
	clear_page_flag(folio, PG_referenced);
	if (advice == MADV_PAGEOUT_ADVICE) {
		if (folio_isolate_lru(folio))
			list_add(&folio->lru, list);
	} else {
		folio_deactivate(folio);
	}
	spin_unlock(ptl);
	return true;
}

/*
 * MADV_FREE/COLD/PAGEOUT of part of a PMD mapping split the folio itself
 * (split_folio: its PMD goes at once) so that the walk meets small pages;
 * the huge zero page, a THP on its way (migration), one another mm maps
 * too, or one that will not split is left alone: false.
 */
bool madvise_split_huge_pmd_folio(pteval_t *pmd)
{
	pteval_t e;
	spinlock_t *ptl = pmd_trans_huge_lock(pmd, &e);
	struct page *folio;
	bool ok = false;

	if (!ptl)
		return true;	/* not huge any more: a table to walk */
	folio = is_huge_zero_pmd(e) || !pte_present(e) ? NULL : pfn_to_page(pte_pfn(e));
	if (!folio || folio_maybe_mapped_shared(folio) || !get_page_unless_zero(folio)) {
		spin_unlock(ptl);
		return false;
	}
	spin_unlock(ptl);
	if (folio_trylock(folio)) {
		ok = !split_folio(folio);
		folio_unlock(folio);
	}
	put_page(folio);
	return ok;
}

/* ---- splitting a PMD ---- */

/*
 * Replace the PMD mapping at @addr by the deposited PTE table filled with
 * 512 PTEs of the same folio (or of the small zero page), keeping the bits
 * (write, dirty, young, soft-dirty, uffd-wp, PROT_NONE).
 */
void __split_huge_pmd(struct vm_area_struct *v, pteval_t *pmd, unsigned long addr)
{
	unsigned long haddr = addr & PMD_MASK;
	struct page *table, *folio = NULL;
	pteval_t old, flags, *pte;
	spinlock_t *ptl = pmd_trans_huge_lock(pmd, &old);

	if (!ptl)
		return;
	if (!pmd_has_deposit(old)) {
		__split_huge_pmd_file(v, pmd, haddr, old, ptl);
		return;
	}
	/* no TLB may keep the 2 MiB entry beside new 4 KiB ones; the PTEs
	 * take the bits the PMD had when it was invalidated */
	old = pmdp_invalidate(v, haddr, pmd);
	table = pgtable_withdraw(pmd);
	table->index = haddr;
	pte = table_of(page_to_pfn(table));
	flags = old & PTE_FLAGS_MASK & ~_PAGE_PSE;
	if (is_huge_zero_pmd(old)) {
		for (int i = 0; i < PTRS_PER_PTE; i++)
			pte_write(pte + i, pfn_pte(zero_pfn, flags & ~_PAGE_RW));
	} else {
		folio = pfn_to_page(pte_pfn(old));
		for (int i = 0; i < PTRS_PER_PTE; i++)
			pte_write(pte + i, pfn_pte(pte_pfn(old) + i, flags));
		/* each PTE holds a reference, as the PMD held one */
		atomic_add(&folio->_refcount, HPAGE_PMD_NR - 1);
		folio_add_anon_rmap_ptes(folio, folio, HPAGE_PMD_NR, v);
	}
	if (folio)
		folio_remove_rmap_pmd(folio, v);
	pte_write(pmd, table_entry(page_to_pfn(table)));
	spin_unlock(ptl);
	count_vm_event(THP_SPLIT_PMD);
}

/* Split the PMD mapping covering @addr in @v, if there is one. */
void split_huge_pmd_address(struct vm_area_struct *v, unsigned long addr)
{
	pteval_t *pmd;

	rcu_read_lock();
	pmd = mm_find_pmd(v->vm_mm, addr);
	if (pmd && pmd_leaf(pte_read(pmd)))
		__split_huge_pmd(v, pmd, addr);
	rcu_read_unlock();
}

/* ---- deferred split ----
 * split_queue_len changes under split_queue_lock, with atomic stores so
 * that reclaim may peek at it without the lock. */

/* The folio lost some of its mappings while others remain: queue it so that
 * memory pressure splits it and frees the unmapped part. */
void deferred_split_folio(struct page *folio, bool partially_mapped)
{
	unsigned long nr = folio_nr_pages(folio);
	bool partial = false;

	if (!partially_mapped || !folio_mapcount(folio) || folio == READ_ONCE(huge_zero_folio))
		return;
	for (unsigned long i = 0; i < nr && !partial; i++)
		partial = page_mapcount(folio + i) == 0;
	if (!partial)
		return;
	spin_lock(&split_queue_lock);
	if (!test_page_flag(folio, PG_partially_mapped)) {
		set_page_flag(folio, PG_partially_mapped);
		mod_mthp_stat(folio_order(folio), MTHP_STAT_NR_ANON_PARTIALLY_MAPPED, 1);
		if (folio_order(folio) == HPAGE_PMD_ORDER)	/* pmd-mappable only */
			count_vm_event(THP_DEFERRED_SPLIT_PAGE);
		count_mthp_stat(folio_order(folio), MTHP_STAT_SPLIT_DEFERRED);
	}
	if (!test_page_flag(folio, PG_deferred_split)) {
		if (split_queue_len == split_queue_cap) {
			unsigned long cap = split_queue_cap ? 2 * split_queue_cap : 64;
			unsigned long *q = realloc(split_queue, cap * sizeof(*q));

			if (!q) {
				spin_unlock(&split_queue_lock);
				return;
			}
			split_queue = q;
			split_queue_cap = cap;
		}
		set_page_flag(folio, PG_deferred_split);
		split_queue[split_queue_len] = page_to_pfn(folio);
		__atomic_store_n(&split_queue_len, split_queue_len + 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&split_queue_lock);
}

void deferred_split_remove(struct page *folio)
{
	if (test_page_flag(folio, PG_partially_mapped)) {
		clear_page_flag(folio, PG_partially_mapped);
		mod_mthp_stat(folio_order(folio), MTHP_STAT_NR_ANON_PARTIALLY_MAPPED, -1);
	}
	if (!test_page_flag(folio, PG_deferred_split))
		return;
	spin_lock(&split_queue_lock);
	for (unsigned long i = 0; i < split_queue_len; i++) {
		if (split_queue[i] == page_to_pfn(folio)) {
			split_queue[i] = split_queue[split_queue_len - 1];
			__atomic_store_n(&split_queue_len, split_queue_len - 1, __ATOMIC_RELAXED);
			break;
		}
	}
	clear_page_flag(folio, PG_deferred_split);
	spin_unlock(&split_queue_lock);
}

/* Called when a large folio is freed. */
void folio_undo_large_rmappable(struct page *folio)
{
	if (PageAnon(folio) && folio != READ_ONCE(huge_zero_folio))
		mod_mthp_stat(folio_order(folio), MTHP_STAT_NR_ANON, -1);
	deferred_split_remove(folio);
}

/* The deferred split shrinker: split up to @nr queued folios; returns how
 * many were split. */
unsigned long deferred_split_scan(unsigned long nr)
{
	unsigned long done = 0;

	while (nr--) {
		struct page *folio;
		unsigned long pfn;

		spin_lock(&split_queue_lock);
		if (!split_queue_len) {
			spin_unlock(&split_queue_lock);
			break;
		}
		pfn = split_queue[split_queue_len - 1];
		__atomic_store_n(&split_queue_len, split_queue_len - 1, __ATOMIC_RELAXED);
		folio = pfn_to_page(pfn);
		clear_page_flag(folio, PG_deferred_split);
		/* a reference, unless it is being freed right now */
		if (!get_page_unless_zero(folio)) {
			spin_unlock(&split_queue_lock);
			continue;
		}
		spin_unlock(&split_queue_lock);
		if (folio_test_large(folio) && folio_trylock(folio)) {
			if (!split_folio(folio))
				done++;
			folio_unlock(folio);
		}
		put_page(folio);
	}
	return done;
}

unsigned long deferred_split_count(void)
{
	return __atomic_load_n(&split_queue_len, __ATOMIC_RELAXED);
}
