/*
 * khugepaged.c - collapsing small pages into THPs: the khugepaged thread
 * scanning registered mms, MADV_COLLAPSE, and mTHP collapse (Nico Pache's series).
 *
 * A scan of a 2 MiB range (hpage_collapse_scan_pmd) looks at its 512 PTEs
 * under the PTE lock and decides with the khugepaged limits (max_ptes_none,
 * max_ptes_swap, max_ptes_shared, a referenced page); MADV_COLLAPSE ignores
 * the limits.  The collapse (collapse_folio) follows the mTHP collapse series' protocol:
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
 * Registration (khugepaged_enter_vma, as 6.18): an mm joins the list when
 * an anonymous mmap (or a merge growing a VMA), MADV_HUGEPAGE or the PMD
 * fault path meets a VMA where the PMD order is enabled, allowed for its
 * flags and a PMD-aligned 2 MiB fits; fork registers the child of a
 * registered mm (khugepaged_fork); an mm leaves only at exit.  mTHP sizes
 * register nothing.  The scan applies the same rule again per VMA.
 *
 * mTHP collapse (Nico Pache's series, not upstream; model knob
 * /sys/kernel/mm/mmlab/mthp_collapse = 1, default 0 = PMD order only, as
 * 6.18; with it an mm registers where any size is enabled and fits, so
 * that mTHP sizes alone are collapsed): with a bitmap of the occupied
 * PTEs, the largest enabled order whose aligned chunk has at most
 * max_ptes_none >> (9 - order) empty PTEs and no swapped or shared PTE is
 * collapsed; with the creep guard (default on) max_ptes_none counts as at
 * most 255 for mTHP orders, so a collapse never makes the next larger chunk
 * eligible by itself.
 *
 * Locks: khugepaged_sem (a sleeping lock) serialises scans and the mm list
 * cursor; khugepaged_exit takes it, so an mm is never scanned after its
 * exit_mmap began.  The list itself is under khugepaged_lock.
 */
#include <stdlib.h>
#include <time.h>
#include "lib/waitqueue.h"
#include "swap.h"

enum scan_result {
	SCAN_FAIL,
	SCAN_SUCCEED,
	SCAN_PMD_NULL,
	SCAN_PMD_NONE,
	SCAN_PMD_MAPPED,
	SCAN_EXCEED_NONE_PTE,
	SCAN_EXCEED_SWAP_PTE,
	SCAN_EXCEED_SHARED_PTE,
	SCAN_PTE_NON_PRESENT,
	SCAN_PTE_UFFD_WP,
	SCAN_LACK_REFERENCED_PAGE,
	SCAN_PAGE_NULL,
	SCAN_SCAN_ABORT,
	SCAN_PAGE_COUNT,
	SCAN_PAGE_LRU,
	SCAN_PAGE_LOCK,
	SCAN_PAGE_ANON,
	SCAN_ANY_PROCESS,
	SCAN_VMA_NULL,
	SCAN_VMA_CHECK,
	SCAN_ADDRESS_RANGE,
	SCAN_DEL_PAGE_LRU,
	SCAN_ALLOC_HUGE_PAGE_FAIL,
	SCAN_PAGE_COMPOUND,
};

struct collapse_control {
	bool is_khugepaged;
};

static struct rw_semaphore khugepaged_sem;
static spinlock_t khugepaged_lock;
static struct list_head khugepaged_mms = { &khugepaged_mms, &khugepaged_mms };
static struct mm_struct *scan_mm;	/* under khugepaged_sem */
static unsigned long scan_addr;
static kthread_t khugepaged_thread;
static struct wait_queue_head khugepaged_wait;
static int khugepaged_stop_req, khugepaged_kick, khugepaged_started;

static bool khugepaged_do_scan(unsigned long pages);

__attribute__((constructor)) static void khugepaged_locks_init(void)
{
	init_rwsem(&khugepaged_sem);
	spin_lock_init(&khugepaged_lock);
}

/* The order is enabled somewhere: always or madvise, or inherit with the
 * top-level enabled not never (the per-order part of hugepage_pmd_enabled). */
static bool hugepage_order_enabled(unsigned int order)
{
	int m = READ_ONCE(knobs.thp_size_enabled[order - 2]);

	if (m == THPS_INHERIT)
		return READ_ONCE(knobs.thp_enabled) != THP_NEVER;
	return m == THPS_ALWAYS || m == THPS_MADVISE;
}

/*
 * collapse_allowable_orders: the orders khugepaged collapses into.  6.18
 * collapses to the PMD order only; with /sys/kernel/mm/mmlab/mthp_collapse
 * (Nico Pache's series) every anonymous order from 16 KiB up.
 */
static unsigned long collapse_allowable_orders(void)
{
	if (!READ_ONCE(knobs.mthp_collapse))
		return 1UL << HPAGE_PMD_ORDER;
	return (1UL << (HPAGE_PMD_ORDER + 1)) - 4;
}

/*
 * hugepage_pmd_enabled: khugepaged has something to do (khugepaged_has_work;
 * the kernel stops its thread otherwise).  The series asks for any enabled
 * order instead, so that mTHP sizes alone get collapsed.
 */
static bool hugepage_pmd_enabled(void)
{
	unsigned long orders = collapse_allowable_orders();

	for (unsigned int o = 2; o <= HPAGE_PMD_ORDER; o++)
		if ((orders & (1UL << o)) && hugepage_order_enabled(o))
			return true;
	return false;
}

/*
 * thp_vma_allowable_orders(v, vm_flags, TVA_KHUGEPAGED, orders): of @orders,
 * those the sysfs modes allow for @vm_flags (the VMA's flags, or the ones
 * madvise is about to give it) in an anonymous VMA without VM_NOHUGEPAGE;
 * outside a fault a folio of the order must fit below vm_end (naturally
 * aligned), and the orders above the largest that fits are dropped.
 */
static unsigned long khugepaged_allowable_orders(struct vm_area_struct *v,
						 unsigned long vm_flags, unsigned long orders)
{
	unsigned long ok = 0;
	int o;

	if (!vma_is_anonymous(v) || vma_thp_disabled(v, vm_flags, false))
		return 0;
	for (o = HPAGE_PMD_ORDER; o >= 2; o--) {
		if (!(orders & (1UL << o)) || !thp_size_allowed(o, vm_flags))
			continue;
		if (ok || (v->vm_end - v->vm_start >= PAGE_SIZE << o &&
			   thp_vma_suitable_order(v, v->vm_end - (PAGE_SIZE << o), o)))
			ok |= 1UL << o;
	}
	return ok;
}

/* Orders khugepaged may produce in this VMA now (khugepaged_scan_mm_slot's
 * thp_vma_allowable_order, at scan time). */
static unsigned long khugepaged_orders(struct vm_area_struct *v)
{
	if (!READ_ONCE(v->anon_vma))	/* anon_vma_prepare, under mmap_lock for reading */
		return 0;
	return khugepaged_allowable_orders(v, v->vm_flags, collapse_allowable_orders());
}

/* __khugepaged_enter: the mm joins khugepaged's list (MMF_VM_HUGEPAGE); the
 * first one on an empty list wakes khugepaged, as the kernel's does. */
void __khugepaged_enter(struct mm_struct *mm)
{
	bool first = false;

	if (READ_ONCE(mm->khugepaged_registered))
		return;
	spin_lock(&khugepaged_lock);
	if (!mm->khugepaged_registered) {
		first = list_empty(&khugepaged_mms);
		list_add_tail(&mm->khugepaged_node, &khugepaged_mms);
		WRITE_ONCE(mm->khugepaged_registered, true);
	}
	spin_unlock(&khugepaged_lock);
	if (first)
		__atomic_store_n(&khugepaged_kick, 1, __ATOMIC_RELEASE);
}

/*
 * khugepaged_enter_vma: called where the kernel calls it (a new anonymous
 * VMA or one a merge grew, MADV_HUGEPAGE with the flags it is about to set,
 * the PMD fault path), it registers the mm only when khugepaged collapses
 * into an order that is enabled (the PMD order in 6.18) and that order is
 * allowed in @v with @vm_flags and fits in it.  A range set up while that
 * was not so is never scanned, unless something registers the mm later.
 */
void khugepaged_enter_vma(struct vm_area_struct *v, unsigned long vm_flags)
{
	if (READ_ONCE(v->vm_mm->khugepaged_registered) || !hugepage_pmd_enabled())
		return;
	if (khugepaged_allowable_orders(v, vm_flags, collapse_allowable_orders()))
		__khugepaged_enter(v->vm_mm);
}

/*
 * The kernel wakes khugepaged when the first mm registers on an otherwise
 * empty list; when other mms are registered (as on the host this model is
 * compared with: a new range waits for the next scan_sleep_millisecs tick)
 * nothing happens at once.  The model follows the host by default; with
 * /sys/kernel/mm/mmlab/khugepaged_wake_on_enter = 1 it runs the woken pass
 * in the registering task, as the system call returns (no locks held), so
 * that the order is always the same.
 */
void khugepaged_run_kick(void)
{
	if (!READ_ONCE(khugepaged_kick) ||
	    !__atomic_exchange_n(&khugepaged_kick, 0, __ATOMIC_ACQ_REL))
		return;
	if (!READ_ONCE(knobs.khugepaged_wake_on_enter))
		return;
	down_write(&khugepaged_sem);
	khugepaged_do_scan(READ_ONCE(knobs.khugepaged_pages_to_scan));
	up_write(&khugepaged_sem);
}

static struct mm_struct *next_mm(struct mm_struct *mm)
{
	struct mm_struct *n = NULL;

	spin_lock(&khugepaged_lock);
	if (!mm) {
		if (!list_empty(&khugepaged_mms))
			n = list_entry(khugepaged_mms.next, struct mm_struct, khugepaged_node);
	} else if (mm->khugepaged_node.next != &khugepaged_mms) {
		n = list_entry(mm->khugepaged_node.next, struct mm_struct, khugepaged_node);
	}
	spin_unlock(&khugepaged_lock);
	return n;
}

void khugepaged_exit(struct mm_struct *mm)
{
	if (!READ_ONCE(mm->khugepaged_registered))
		return;
	down_write(&khugepaged_sem);
	if (scan_mm == mm) {
		scan_mm = next_mm(mm);
		scan_addr = 0;
		if (!scan_mm)
			knobs.khugepaged_full_scans++;
	}
	spin_lock(&khugepaged_lock);
	list_del(&mm->khugepaged_node);
	WRITE_ONCE(mm->khugepaged_registered, false);
	spin_unlock(&khugepaged_lock);
	up_write(&khugepaged_sem);
}

/* ---- the collapse ---- */

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

static bool pte_none_or_zero(pteval_t e)
{
	return pte_none(e) || (pte_present(e) && pte_pfn(e) == zero_pfn);
}

/* The max_ptes_none that applies to a chunk of @order. */
static unsigned int max_ptes_none_for(unsigned int order)
{
	unsigned int m = READ_ONCE(knobs.khugepaged_max_ptes_none);

	if (order == HPAGE_PMD_ORDER)
		return m;
	if (READ_ONCE(knobs.mthp_creep_guard) && m > HPAGE_PMD_NR / 2 - 1)
		m = HPAGE_PMD_NR / 2 - 1;
	return m >> (HPAGE_PMD_ORDER - order);
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
static struct vm_area_struct *collapse_revalidate(struct mm_struct *mm, unsigned long addr,
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
static int collapse_folio(struct mm_struct *mm, unsigned long addr, unsigned int order,
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
	c->folio = collapse_fail_at(COLLAPSE_FAIL_ALLOC) ? NULL : vma_alloc_anon_folio(c->order);
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

/* ---- the scan ---- */

/* Is the chunk already one folio of at least @order, mapped in order? */
static bool chunk_is_one_folio(struct mm_struct *mm, unsigned long addr, unsigned int order)
{
	unsigned long nr = 1UL << order;
	pteval_t *pmd, *pte = NULL;
	spinlock_t *ptl;
	bool one = false;

	/* under the PTE lock: a mapped folio can be neither freed nor split */
	rcu_read_lock();
	pmd = mm_find_pmd(mm, addr);
	if (pmd)
		pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	rcu_read_unlock();
	if (pte) {
		pteval_t e0 = pte_read(pte);

		if (pte_present(e0) && !pte_special(e0) &&
		    folio_order(compound_head(pfn_to_page(pte_pfn(e0)))) >= order) {
			one = true;
			for (unsigned long i = 1; i < nr && one; i++) {
				pteval_t e = pte_read(pte + i);

				one = pte_present(e) && pte_pfn(e) == pte_pfn(e0) + i;
			}
		}
		pte_unmap_unlock(pte, ptl);
	}
	return one;
}

struct pmd_scan {
	unsigned int none, swap, shared, referenced;
	unsigned char occupied[HPAGE_PMD_NR];	/* present, not the zero page */
	unsigned char unsafe[HPAGE_PMD_NR];	/* swapped or shared */
};

/*
 * hpage_collapse_scan_pmd: decide whether the 2 MiB range at @haddr should
 * collapse, and do it (or try mTHP orders).  mmap_lock held for reading;
 * *locked says whether it still is on return.
 */
/* One PTE of the scan into @s at index @i: SCAN_SUCCEED, or why the
 * range cannot collapse. */
static int hpage_collapse_scan_pte(struct vm_area_struct *v, pteval_t e, int i,
				   struct pmd_scan *s)
{
	struct page *f;

	if (is_swap_pte(e)) {
		if (non_swap_entry(pte_to_swp_entry(e)))	/* markers, migration entries: not now */
			return (e & _PAGE_SWP_UFFD_WP) ? SCAN_PTE_UFFD_WP : SCAN_PTE_NON_PRESENT;
		s->unsafe[i] = 1;
		s->swap++;
		return SCAN_SUCCEED;
	}
	if (pte_none_or_zero(e)) {
		s->none++;
		return (v->vm_flags & VM_UFFD_MISSING) ? SCAN_EXCEED_NONE_PTE : SCAN_SUCCEED;
	}
	if (!pte_present(e))
		return SCAN_PTE_NON_PRESENT;
	if (e & _PAGE_UFFD_WP)
		return SCAN_PTE_UFFD_WP;
	if (pte_special(e))
		return SCAN_PAGE_NULL;
	f = compound_head(pfn_to_page(pte_pfn(e)));
	if (!PageAnon(f))
		return SCAN_PAGE_ANON;
	s->occupied[i] = 1;
	if (folio_maybe_mapped_shared(f)) {
		s->shared++;
		s->unsafe[i] = 1;
	}
	if (pte_young(e) || test_page_flag(f, PG_referenced))
		s->referenced++;
	return SCAN_SUCCEED;
}

/* The 512 PTEs at @haddr into @s, under the PTE lock. */
static int hpage_collapse_scan_table(struct mm_struct *mm, struct vm_area_struct *v,
				     unsigned long haddr, struct pmd_scan *s)
{
	pteval_t *pmd, *pte0;
	spinlock_t *ptl;
	int result = SCAN_SUCCEED;

	rcu_read_lock();
	pmd = mm_find_pmd(mm, haddr);
	if (!pmd || pte_none(pte_read(pmd))) {
		rcu_read_unlock();
		return SCAN_PMD_NULL;
	}
	if (pmd_leaf(pte_read(pmd))) {
		rcu_read_unlock();
		return SCAN_PMD_MAPPED;
	}
	pte0 = pte_offset_map_lock(mm, pmd, haddr, &ptl);
	rcu_read_unlock();
	if (!pte0)
		return SCAN_PMD_NULL;
	for (int i = 0; i < HPAGE_PMD_NR && result == SCAN_SUCCEED; i++)
		result = hpage_collapse_scan_pte(v, pte_read(pte0 + i), i, s);
	pte_unmap_unlock(pte0, ptl);
	return result;
}

/* khugepaged's limits for the PMD order (MADV_COLLAPSE has none). */
static int hpage_collapse_pmd_limits(const struct pmd_scan *s, struct collapse_control *cc)
{
	if (!cc->is_khugepaged)
		return SCAN_SUCCEED;
	if (s->none > READ_ONCE(knobs.khugepaged_max_ptes_none)) {
		count_vm_event(THP_SCAN_EXCEED_NONE_PTE);
		return SCAN_EXCEED_NONE_PTE;
	}
	if (s->swap > READ_ONCE(knobs.khugepaged_max_ptes_swap)) {
		count_vm_event(THP_SCAN_EXCEED_SWAP_PTE);
		return SCAN_EXCEED_SWAP_PTE;
	}
	if (s->shared > READ_ONCE(knobs.khugepaged_max_ptes_shared)) {
		count_vm_event(THP_SCAN_EXCEED_SHARED_PTE);
		return SCAN_EXCEED_SHARED_PTE;
	}
	if (!s->referenced || (s->swap && s->referenced < HPAGE_PMD_NR / 2))
		return SCAN_LACK_REFERENCED_PAGE;
	return SCAN_SUCCEED;
}

/*
 * mTHP orders (khugepaged only): the largest eligible chunks of the range,
 * each collapsed with mmap_lock dropped and taken again.  True if one
 * collapsed.  The lock was dropped: the caller's VMA may be gone, so it
 * gets the lock back itself (*locked false) and looks the VMA up again.
 */
static bool hpage_collapse_scan_mthp(struct mm_struct *mm, unsigned long haddr,
				     unsigned long orders, struct pmd_scan *s, bool *locked,
				     struct collapse_control *cc)
{
	bool any = false, dropped = false;

	for (unsigned int o = HPAGE_PMD_ORDER - 1; o >= 2 && *locked; o--) {
		unsigned long nr = 1UL << o;

		if (!(orders & (1UL << o)))
			continue;
		for (unsigned long c = 0; c < HPAGE_PMD_NR; c += nr) {
			struct vm_area_struct *v;
			unsigned int occ = 0, bad = 0;

			for (unsigned long i = c; i < c + nr; i++) {
				occ += s->occupied[i];
				bad += s->unsafe[i];
			}
			if (!occ || bad || nr - occ > max_ptes_none_for(o))
				continue;
			if (chunk_is_one_folio(mm, haddr + (c << PAGE_SHIFT), o))
				continue;
			*locked = false;
			dropped = true;
			if (collapse_folio(mm, haddr + (c << PAGE_SHIFT), o, false, cc) ==
			    SCAN_SUCCEED)
				any = true;
			down_read(&mm->mmap_lock);
			*locked = true;
			v = vma_lookup(mm, haddr);
			if (!v || !thp_vma_suitable_order(v, haddr, HPAGE_PMD_ORDER))
				goto done;
			for (unsigned long i = c; i < c + nr; i++)
				s->unsafe[i] = 1;	/* done at this order */
		}
	}
done:
	if (dropped && *locked) {
		up_read(&mm->mmap_lock);
		*locked = false;
	}
	return any;
}

static int hpage_collapse_scan_pmd(struct mm_struct *mm, struct vm_area_struct *v,
				   unsigned long haddr, bool *locked, struct collapse_control *cc)
{
	unsigned long orders = cc->is_khugepaged ? khugepaged_orders(v) : 1UL << HPAGE_PMD_ORDER;
	struct pmd_scan *s = calloc(1, sizeof(*s));
	int result;

	if (!s)
		return SCAN_FAIL;
	result = hpage_collapse_scan_table(mm, v, haddr, s);
	if (result != SCAN_SUCCEED)
		goto out;
	/* the PMD order first */
	if (orders & (1UL << HPAGE_PMD_ORDER)) {
		result = hpage_collapse_pmd_limits(s, cc);
		if (result == SCAN_SUCCEED) {
			*locked = false;
			result = collapse_folio(mm, haddr, HPAGE_PMD_ORDER, s->swap > 0, cc);
			goto out;
		}
	}
	if (cc->is_khugepaged && (orders & ((1UL << HPAGE_PMD_ORDER) - 1)) && s->referenced &&
	    hpage_collapse_scan_mthp(mm, haddr, orders, s, locked, cc))
		result = SCAN_SUCCEED;
out:
	free(s);
	return result;
}

/*
 * khugepaged_scan_mm_slot: scan the current mm from the cursor for up to
 * @budget pages; returns the pages scanned and sets *done when the mm has
 * nothing after the cursor.
 */
static unsigned long khugepaged_scan_mm(struct mm_struct *mm, unsigned long budget, bool *done)
{
	struct collapse_control cc = { .is_khugepaged = true };
	unsigned long progress = 0;
	struct vm_area_struct *v;
	bool locked;

	*done = false;
	down_read(&mm->mmap_lock);
	locked = true;
	for (v = find_vma(mm, scan_addr); v; v = find_vma(mm, scan_addr)) {
		unsigned long hstart, hend;

		if (!khugepaged_orders(v)) {
			progress++;
			scan_addr = v->vm_end;
			continue;
		}
		hstart = ALIGN_UP(v->vm_start > scan_addr ? v->vm_start : scan_addr, PMD_SIZE);
		hend = v->vm_end & PMD_MASK;
		if (hstart >= hend) {
			progress++;
			scan_addr = v->vm_end;
			continue;
		}
		scan_addr = hstart;
		while (scan_addr < hend) {
			hpage_collapse_scan_pmd(mm, v, scan_addr, &locked, &cc);
			scan_addr += PMD_SIZE;
			progress += HPAGE_PMD_NR;
			if (!locked || progress >= budget)
				goto out;
			cpu_poll();
		}
	}
	*done = true;
out:
	if (locked)
		up_read(&mm->mmap_lock);
	return progress;
}

/* khugepaged_do_scan: @pages worth of scanning over the registered mms;
 * false when there is nothing registered or no order to collapse into.
 * khugepaged_sem held. */
static bool khugepaged_do_scan(unsigned long pages)
{
	unsigned long progress = 0;

	/* khugepaged_has_work: nothing to collapse into, no pass (the
	 * kernel's thread is stopped meanwhile) */
	if (!hugepage_pmd_enabled())
		return false;
	lru_add_drain_all();
	while (progress < pages) {
		bool done;

		if (!scan_mm) {
			scan_mm = next_mm(NULL);
			scan_addr = 0;
			if (!scan_mm)
				return false;
		}
		progress += khugepaged_scan_mm(scan_mm, pages - progress, &done);
		if (done) {
			scan_mm = next_mm(scan_mm);
			scan_addr = 0;
			if (!scan_mm)
				__atomic_fetch_add(&knobs.khugepaged_full_scans, 1, __ATOMIC_RELAXED);
		}
	}
	return true;
}

static bool khugepaged_should_wake(void *arg)
{
	(void)arg;
	return READ_ONCE(khugepaged_stop_req);
}

/*
 * The thread sleeps first: it starts with the machine, when no mm is
 * registered, and the first registration's pass runs in the registering
 * task (khugepaged_run_kick).  A pass at start-up would only race with
 * that registration (a host thread scheduled late scans an mm the caller
 * is still setting up).
 */
static void *khugepaged(void *arg)
{
	(void)arg;
	while (!READ_ONCE(khugepaged_stop_req)) {
		/* sleep scan_sleep_millisecs, in slices so that a changed
		 * setting or a stop is seen soon */
		for (unsigned int slept = 0;
		     slept < READ_ONCE(knobs.khugepaged_scan_sleep_millisecs) &&
		     !khugepaged_should_wake(NULL); slept += 100)
			wait_event_timeout(&khugepaged_wait, khugepaged_should_wake, NULL, 100);
		if (!READ_ONCE(knobs.khugepaged_scan_sleep_millisecs))
			wait_event_timeout(&khugepaged_wait, khugepaged_should_wake, NULL, 1);
		if (READ_ONCE(khugepaged_stop_req))
			break;
		down_write(&khugepaged_sem);
		khugepaged_do_scan(READ_ONCE(knobs.khugepaged_pages_to_scan));
		up_write(&khugepaged_sem);
	}
	return NULL;
}

int khugepaged_start(void)
{
	init_waitqueue_head(&khugepaged_wait);
	khugepaged_stop_req = 0;
	if (kthread_run(&khugepaged_thread, "khugepaged", khugepaged, NULL))
		return -ENOMEM;
	__atomic_store_n(&khugepaged_started, 1, __ATOMIC_RELEASE);
	return 0;
}

void khugepaged_stop(void)
{
	if (!READ_ONCE(khugepaged_started))
		return;
	__atomic_store_n(&khugepaged_stop_req, 1, __ATOMIC_RELEASE);
	wake_up(&khugepaged_wait);
	kthread_join(khugepaged_thread);
	destroy_waitqueue_head(&khugepaged_wait);
	__atomic_store_n(&khugepaged_started, 0, __ATOMIC_RELEASE);
}

/* mm.khugepaged_scan(n): n more full scans of every registered mm, run by
 * the caller (khugepaged's own passes are excluded meanwhile). */
int mmlab_khugepaged_scan(unsigned int n)
{
	down_write(&khugepaged_sem);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t target = __atomic_load_n(&knobs.khugepaged_full_scans, __ATOMIC_RELAXED) + 1;

		while (__atomic_load_n(&knobs.khugepaged_full_scans, __ATOMIC_RELAXED) < target)
			if (!khugepaged_do_scan(READ_ONCE(knobs.khugepaged_pages_to_scan)))
				break;
	}
	up_write(&khugepaged_sem);
	return 0;
}

/* ---- MADV_COLLAPSE ---- */

static int madvise_collapse_errno(int r)
{
	switch (r) {
	case SCAN_ALLOC_HUGE_PAGE_FAIL:
		return -ENOMEM;
	case SCAN_EXCEED_NONE_PTE:
		return -EBUSY;
	case SCAN_PAGE_COUNT: case SCAN_PAGE_LOCK: case SCAN_PAGE_LRU:
	case SCAN_DEL_PAGE_LRU:
		return -EAGAIN;
	default:
		return -EINVAL;
	}
}

/* One VMA's part [start, end) of a MADV_COLLAPSE; mmap_lock held for
 * reading on entry and on return. */
static int madvise_collapse_vma(struct mm_struct *mm, struct vm_area_struct *v,
				unsigned long start, unsigned long end)
{
	struct collapse_control cc = { .is_khugepaged = false };
	unsigned long hstart = ALIGN_UP(start, PMD_SIZE), hend = end & PMD_MASK;
	int last_fail = SCAN_FAIL;
	unsigned long thps = 0;

	if (!thp_vma_allowable_orders(v, 1UL << HPAGE_PMD_ORDER, false) || !READ_ONCE(v->anon_vma))
		return -EINVAL;
	/* thp_vma_allowable_order outside a fault: a PMD must fit in the VMA
	 * (the last aligned one below vm_end), whatever the range asked */
	if (v->vm_end - v->vm_start < PMD_SIZE ||
	    !thp_vma_suitable_order(v, v->vm_end - PMD_SIZE, HPAGE_PMD_ORDER))
		return -EINVAL;
	if (hstart > hend)
		return -EINVAL;
	lru_add_drain_all();
	for (unsigned long addr = hstart; addr < hend; addr += PMD_SIZE) {
		bool locked = true;
		int r;

		v = collapse_revalidate(mm, addr, HPAGE_PMD_ORDER, &cc);
		if (!v) {
			last_fail = SCAN_VMA_CHECK;
			break;
		}
		r = hpage_collapse_scan_pmd(mm, v, addr, &locked, &cc);
		if (!locked)
			down_read(&mm->mmap_lock);
		switch (r) {
		case SCAN_SUCCEED:
		case SCAN_PMD_MAPPED:
			thps++;
			break;
		case SCAN_PMD_NULL: case SCAN_PTE_NON_PRESENT: case SCAN_PTE_UFFD_WP:
		case SCAN_LACK_REFERENCED_PAGE: case SCAN_PAGE_NULL: case SCAN_PAGE_COUNT:
		case SCAN_PAGE_LOCK: case SCAN_PAGE_COMPOUND: case SCAN_PAGE_LRU:
		case SCAN_DEL_PAGE_LRU:
			last_fail = r;
			break;
		default:
			last_fail = r;
			goto out;
		}
	}
out:
	return thps == (hend - hstart) / PMD_SIZE ? 0 : madvise_collapse_errno(last_fail);
}

int madvise_collapse(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	int err = 0, unmapped = 0;

	down_read(&mm->mmap_lock);
	while (start < end) {
		struct vm_area_struct *v = find_vma(mm, start);
		unsigned long e;

		if (!v) {
			err = -ENOMEM;
			break;
		}
		if (start < v->vm_start) {
			unmapped = -ENOMEM;
			start = v->vm_start;
			if (start >= end)
				break;
		}
		e = end < v->vm_end ? end : v->vm_end;
		err = madvise_collapse_vma(mm, v, start, e);
		if (err)
			break;
		start = e;
	}
	up_read(&mm->mmap_lock);
	return err ? err : unmapped;
}
