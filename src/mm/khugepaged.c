/*
 * khugepaged.c - the khugepaged scanner and MADV_COLLAPSE: the khugepaged
 * thread scanning registered mms (the mm list, hpage_collapse_scan_*), the
 * mTHP scan (Nico Pache's series) and madvise(MADV_COLLAPSE).
 *
 * A scan of a 2 MiB range (hpage_collapse_scan_pmd) looks at its 512 PTEs
 * under the PTE lock and decides with the khugepaged limits (max_ptes_none,
 * max_ptes_swap, max_ptes_shared, a referenced page); MADV_COLLAPSE ignores
 * the limits.  The collapse itself (collapse_folio, its steps and its two
 * locking modes) is in khugepaged_collapse.c; what both files share is in
 * khugepaged.h.
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
#include "lib/waitqueue.h"
#include "khugepaged.h"
#include "shmem_huge.h"

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

	if (shmem_hpage_pmd_enabled())
		return true;

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

/*
 * A shmem VMA khugepaged collapses in: shmem_enabled allows a THP there
 * (judged by the VMA's flags as they are: MADV_HUGEPAGE's own call comes
 * before it sets VM_HUGEPAGE, so under "advise" it registers nothing) and
 * a PMD fits in it.
 */
bool khugepaged_file_vma(struct vm_area_struct *v)
{
	return v->vm_file && !v->vm_file->mapping->disk &&
	       v->vm_end - v->vm_start >= PMD_SIZE &&
	       thp_vma_suitable_order(v, v->vm_end - PMD_SIZE, HPAGE_PMD_ORDER) &&
	       shmem_allowable_huge(v->vm_file, v, v->vm_pgoff, v->vm_flags, false);
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
	if (!vma_is_anonymous(v)) {
		if (khugepaged_file_vma(v))
			__khugepaged_enter(v->vm_mm);
		return;
	}
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

		if (!vma_is_anonymous(v) ? !khugepaged_file_vma(v) : !khugepaged_orders(v)) {
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
			if (!vma_is_anonymous(v))
				khugepaged_scan_file(mm, v, scan_addr, &locked, &cc);
			else
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

/* One PMD's result of a MADV_COLLAPSE: counted (*@thps) or remembered
 * (*@last_fail); false when it ends the advice (the kernel's "other
 * error"). */
bool madvise_collapse_tally(int r, unsigned long *thps, int *last_fail)
{
	switch (r) {
	case SCAN_SUCCEED:
	case SCAN_PMD_MAPPED:
		(*thps)++;
		return true;
	case SCAN_PMD_NULL: case SCAN_PTE_NON_PRESENT: case SCAN_PTE_UFFD_WP:
	case SCAN_LACK_REFERENCED_PAGE: case SCAN_PAGE_NULL: case SCAN_PAGE_COUNT:
	case SCAN_PAGE_LOCK: case SCAN_PAGE_COMPOUND: case SCAN_PAGE_LRU:
	case SCAN_DEL_PAGE_LRU:
		*last_fail = r;
		return true;
	default:
		*last_fail = r;
		return false;
	}
}

int madvise_collapse_errno(int r)
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

	if (!vma_is_anonymous(v))
		return madvise_collapse_file(mm, v, start, end);
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
		if (!madvise_collapse_tally(r, &thps, &last_fail))
			break;
	}
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
