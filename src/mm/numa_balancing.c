/*
 * numa_balancing.c - NUMA-hinting faults and memory-tier promotion
 * (task_numa_work in kernel/sched/fair.c, do_numa_page in mm/memory.c).
 *
 * With /proc/sys/kernel/numa_balancing on, a task returning to user space
 * (in the model: at the end of each system call or access batch) scans the
 * next scan_size MB of its address space once every scan_period_min_ms,
 * making present PTEs PROT_NONE (change_prot_numa).  In memory-tiering mode
 * (2) only pages on a slower node are scanned, and each scanned page
 * remembers when (its access time, in page->flags).  An access then faults
 * (numa_hint_faults); a slow-node page touched within the hot threshold
 * of its scan is a promotion candidate (pgpromote_candidate) and is
 * promoted to the faulting CPU's node (pgpromote_success); otherwise the
 * PTE gets its protection back.
 *
 * What bounds promotion, as upstream (should_numa_migrate_memory and
 * migrate_misplaced_folio_prepare):
 * - the rate limit: at most numa_balancing_promote_rate_limit_MBps
 *   (default 65536) of candidates per second per target node; beyond it
 *   hot pages stay where they are until the next second;
 * - the hot threshold (debugfs hot_threshold_ms, default 1000) is adjusted
 *   every scan_period_max_ms so that the candidates match the rate limit:
 *   one step of 2/16 of the default down when there were more than 110 %
 *   of it, up when fewer than 90 %, within [step, 2 x default];
 * - room: a promotion only goes ahead while the fast node is above its
 *   high watermark plus the folio; otherwise kswapd is woken there, and
 *   with memory tiering kswapd reclaims (demotes) up to the promotion
 *   watermark (WMARK_PROMO, high + the watermark gap), so that promotions
 *   have room between the two.  With more than the promotion watermark
 *   plus max(1 GiB, node/16) free (pgdat_free_space_enough), every
 *   recently accessed page is promoted and the threshold resets.
 *
 * Locks: the scan holds mmap_lock for reading and each table's PTE lock,
 * and flushes through an mmu_gather; do_numa_page runs under the fault's
 * mmap_lock and migrates with the folio lock.
 */
#include <time.h>
#include "swap.h"

#define NUMA_BALANCING_NORMAL		0x1
#define NUMA_BALANCING_MEMORY_TIERING	0x2
#define ACCESS_TIME_SHIFT		28	/* page->flags bits 28..43 (ms, wraps at 65 s) */
#define ACCESS_TIME_MASK		((1UL << 16) - 1)

/* the simulated clock in deterministic mode (lib/sched.h) */
static unsigned long now_ms(void)
{
	return (unsigned long)(lib_now_ns() / 1000000);
}

static void folio_set_access_time(struct page *p, unsigned long ms)
{
	unsigned long old, new;

	p = compound_head(p);
	old = READ_ONCE(p->flags);

	do {
		new = (old & ~(ACCESS_TIME_MASK << ACCESS_TIME_SHIFT)) |
		      ((ms & ACCESS_TIME_MASK) << ACCESS_TIME_SHIFT);
	} while (!__atomic_compare_exchange_n(&p->flags, &old, new, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

/* numa_hint_fault_latency: the time since the scan (or the last hint
 * fault), the access time becoming now (folio_xchg_access_time). */
static unsigned long numa_hint_fault_latency(struct page *p, unsigned long ms)
{
	unsigned long old, new, then;

	p = compound_head(p);
	old = READ_ONCE(p->flags);
	do {
		then = (old >> ACCESS_TIME_SHIFT) & ACCESS_TIME_MASK;
		new = (old & ~(ACCESS_TIME_MASK << ACCESS_TIME_SHIFT)) |
		      ((ms & ACCESS_TIME_MASK) << ACCESS_TIME_SHIFT);
	} while (!__atomic_compare_exchange_n(&p->flags, &old, new, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return (ms - then) & ACCESS_TIME_MASK;
}

/* pgdat_free_space_enough: the fast node has room to spare above its
 * promotion watermark; promote without looking at the threshold. */
static bool pgdat_free_space_enough(struct pglist_data *pgdat)
{
	unsigned long enough = max(1UL << (30 - PAGE_SHIFT), pgdat->managed >> 4);

	return node_free_pages(pgdat->node_id) >= pgdat->watermark_promo + enough;
}

/* numa_promotion_rate_limit: count @nr candidates for @pgdat; true when
 * this second's candidates reached @rate_limit pages. */
static bool numa_promotion_rate_limit(struct pglist_data *pgdat, unsigned long rate_limit,
				      unsigned long nr, unsigned int now)
{
	unsigned long nr_cand;
	unsigned int start;

	nr_cand = __atomic_add_fetch(&pgdat->promote_candidate, nr, __ATOMIC_RELAXED);
	count_vm_events(PGPROMOTE_CANDIDATE, nr);
	start = READ_ONCE(pgdat->nbp_rl_start);
	if (now - start > 1000 &&
	    __atomic_compare_exchange_n(&pgdat->nbp_rl_start, &start, now, false,
					__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		WRITE_ONCE(pgdat->nbp_rl_nr_cand, nr_cand);
	return nr_cand - READ_ONCE(pgdat->nbp_rl_nr_cand) >= rate_limit;
}

#define NUMA_MIGRATION_ADJUST_STEPS	16

/* numa_promotion_adjust_threshold: once a scan_period_max, move the hot
 * threshold one step towards the rate limit's number of candidates. */
static void numa_promotion_adjust_threshold(struct pglist_data *pgdat,
					    unsigned long rate_limit, unsigned int ref_th,
					    unsigned int now)
{
	unsigned int period = READ_ONCE(knobs.numa_scan_period_max_ms), start, unit_th, th;
	unsigned long nr_cand, ref_cand, diff_cand;

	start = READ_ONCE(pgdat->nbp_th_start);
	if (now - start <= period ||
	    !__atomic_compare_exchange_n(&pgdat->nbp_th_start, &start, now, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	ref_cand = rate_limit * period / 1000;
	nr_cand = __atomic_load_n(&pgdat->promote_candidate, __ATOMIC_RELAXED);
	diff_cand = nr_cand - READ_ONCE(pgdat->nbp_th_nr_cand);
	unit_th = ref_th * 2 / NUMA_MIGRATION_ADJUST_STEPS;
	th = READ_ONCE(pgdat->nbp_threshold) ? : ref_th;
	if (diff_cand > ref_cand * 11 / 10)
		th = max(th - unit_th, unit_th);
	else if (diff_cand < ref_cand * 9 / 10)
		th = min(th + unit_th, ref_th * 2);
	WRITE_ONCE(pgdat->nbp_th_nr_cand, nr_cand);
	WRITE_ONCE(pgdat->nbp_threshold, th);
}

/* should_numa_migrate_memory, memory tiering: is this slow-node page, just
 * accessed, worth promoting to @dst? */
static bool should_promote(struct page *p, int dst)
{
	struct pglist_data *pgdat = NODE_DATA(dst);
	unsigned int now = (unsigned int)now_ms(), def_th, th;
	unsigned long rate_limit;

	if (pgdat_free_space_enough(pgdat)) {
		WRITE_ONCE(pgdat->nbp_threshold, 0);	/* workload changed */
		return true;
	}
	def_th = READ_ONCE(knobs.numa_hot_threshold_ms);
	rate_limit = (unsigned long)READ_ONCE(knobs.numa_promote_rate_limit) << (20 - PAGE_SHIFT);
	numa_promotion_adjust_threshold(pgdat, rate_limit, def_th, now);
	th = READ_ONCE(pgdat->nbp_threshold) ? : def_th;
	if (numa_hint_fault_latency(p, now) >= th)
		return false;
	return !numa_promotion_rate_limit(pgdat, rate_limit, 1, now);
}

/* sysctl_numa_balancing: switching memory tiering on starts the hot
 * threshold afresh (reset_memory_tiering). */
static int numa_balancing_mode_was;

void numa_balancing_mode_changed(void)
{
	int mode = READ_ONCE(knobs.numa_balancing);

	if ((mode & NUMA_BALANCING_MEMORY_TIERING) &&
	    !(numa_balancing_mode_was & NUMA_BALANCING_MEMORY_TIERING)) {
		for (unsigned int n = 0; n < phys.nr_nodes; n++) {
			struct pglist_data *pgdat = NODE_DATA(n);

			WRITE_ONCE(pgdat->nbp_threshold, 0);
			WRITE_ONCE(pgdat->nbp_th_nr_cand,
				   __atomic_load_n(&pgdat->promote_candidate, __ATOMIC_RELAXED));
			WRITE_ONCE(pgdat->nbp_th_start, (unsigned int)now_ms());
		}
	}
	numa_balancing_mode_was = mode;
}

void memory_tiering_init(void)
{
	numa_balancing_mode_was = 0;
}

static bool node_is_toptier(int nid)
{
	return !phys.node[nid].slow;
}

/* The CPUs' node: the first fast node. */
static int first_toptier_node(void)
{
	for (unsigned int n = 0; n < phys.nr_nodes; n++)
		if (node_is_toptier(n))
			return (int)n;
	return 0;
}

/* change_prot_numa for one PTE table. */
static void change_prot_numa_range(struct mmu_gather *tlb, struct vm_area_struct *v,
				   pteval_t *pmd, unsigned long addr, unsigned long end,
				   int mode, unsigned long ms)
{
	spinlock_t *ptl;
	pteval_t *pte0 = pte_offset_map_lock(v->vm_mm, pmd, addr, &ptl), *pte;

	if (!pte0)
		return;
	flush_tlb_batched_pending(v->vm_mm);
	for (pte = pte0; addr < end; addr += PAGE_SIZE, pte++) {
		pteval_t old = pte_read(pte);
		struct page *p;

		if (!pte_hw_present(old) || pte_special(old))
			continue;
		p = pfn_to_page(pte_pfn(old));
		/* tiering alone: fast-tier pages need no hints */
		if (!(mode & NUMA_BALANCING_NORMAL) && node_is_toptier(page_to_nid(p)))
			continue;
		if (mode & NUMA_BALANCING_MEMORY_TIERING)
			folio_set_access_time(p, ms);
		old = pte_xchg(pte, 0);
		pte_write(pte, (old & ~(_PAGE_PRESENT | _PAGE_RW)) | _PAGE_PROTNONE);
		tlb_remove_tlb_entry(tlb, addr);
		count_vm_event(NUMA_PTE_UPDATES);
	}
	pte_unmap_unlock(pte0, ptl);
}

/* task_numa_work: scan the next window of the address space. */
static void task_numa_work(struct mm_struct *mm, int mode)
{
	unsigned long size = (unsigned long)READ_ONCE(knobs.numa_scan_size_mb) << 20;
	unsigned long start = READ_ONCE(mm->numa_scan_offset), ms = now_ms(), done = 0;
	struct vm_area_struct *v;
	struct mmu_gather tlb;

	if (!down_read_trylock(&mm->mmap_lock))
		return;
	tlb_gather_mmu(&tlb, mm, false);
	tlb.ipi_why = MMLAB_IPIS_CHANGE_PROT;
	v = find_vma(mm, start);
	if (!v) {
		start = 0;
		v = find_vma(mm, 0);
	}
	for (; v && done < size; v = vma_next(mm, v)) {
		unsigned long addr = max(start, v->vm_start);

		if (!(v->vm_flags & VM_ACCESS_FLAGS) || (v->vm_flags & VM_LOCKED))
			continue;
		while (addr < v->vm_end && done < size) {
			unsigned long next = min((addr + PMD_SIZE) & PMD_MASK, v->vm_end);
			pteval_t *pgd = pgd_offset(mm, addr), *pud, *pmd;

			if (!pte_none(pte_read(pgd)) &&
			    !pte_none(pte_read(pud = pud_offset(pgd, addr))) &&
			    !pte_none(pte_read(pmd = pmd_offset(pud, addr))))
				change_prot_numa_range(&tlb, v, pmd, addr, next, mode, ms);
			done += next - addr;
			addr = next;
		}
		start = addr;
	}
	WRITE_ONCE(mm->numa_scan_offset, v ? start : 0);
	tlb_finish_mmu(&tlb);
	up_read(&mm->mmap_lock);
}

/*
 * Whether a per-mm scan that runs every @period_ms as its tasks return to
 * user space is due; *next_ms says when.  One thread of the mm wins it,
 * moving *next_ms on (cmpxchg, as task_numa_work does).
 */
bool task_scan_due(unsigned long *next_ms, unsigned long period_ms)
{
	unsigned long ms = now_ms(), next = READ_ONCE(*next_ms);

	if ((long)(ms - next) < 0)
		return false;
	return __atomic_compare_exchange_n(next_ms, &next, ms + period_ms, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* Called as a task returns to user space: the NUMA scan when it is due. */
void task_numa_return_to_user(struct mm_struct *mm)
{
	int mode = READ_ONCE(knobs.numa_balancing);

	if (mode && task_scan_due(&mm->numa_next_scan, READ_ONCE(knobs.numa_scan_period_ms)))
		task_numa_work(mm, mode);
}

/*
 * do_numa_page: a fault on a NUMA-hinting PROT_NONE PTE of an accessible
 * VMA.  Promote a hot slow-tier page to the faulting CPU's node, else give
 * the PTE its protection back.  Returns 0 (the access retries).
 */
int do_numa_page(struct vm_area_struct *v, pteval_t *pmd, unsigned long addr,
		 pteval_t orig)
{
	struct mm_struct *mm = v->vm_mm;
	int mode = READ_ONCE(knobs.numa_balancing), nid, target = first_toptier_node();
	struct page *p;
	spinlock_t *ptl;
	pteval_t *pte;
	bool migrate = false;

	count_vm_event(NUMA_HINT_FAULTS);
	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return 0;
	if (pte_read(pte) != orig) {
		pte_unmap_unlock(pte, ptl);
		return 0;
	}
	p = pfn_to_page(pte_pfn(orig));
	nid = page_to_nid(p);
	if (nid == target)
		count_vm_event(NUMA_HINT_FAULTS_LOCAL);
	if ((mode & NUMA_BALANCING_MEMORY_TIERING) && !node_is_toptier(nid) &&
	    page_mapcount(p) == 1 &&
	    !folio_test_large(compound_head(p)) &&	/* the model moves small folios only */
	    should_promote(p, target))
		migrate = true;
	/* restore the protection first: migration unmaps a normal PTE */
	{
		pteval_t n = pte_modify(orig, v->vm_page_prot) | _PAGE_ACCESSED;

		if ((n & _PAGE_PRESENT) && !pte_write_bit(n) && can_change_pte_writable(v, n))
			n |= _PAGE_RW;
		pte_write(pte, n);
	}
	/* migrate_balanced_pgdat: no room above the high watermark on the
	 * fast node: let kswapd make some (it demotes up to WMARK_PROMO) and
	 * retry on a later fault.  Frames LUF parked count as free, as LUF's
	 * pages stay in the buddy's free count: the promotion's allocation
	 * pays their flush (mmlab_luf_alloc_flush_ipis). */
	if (migrate && node_free_pages(target) <= NODE_DATA(target)->watermark_high + 1) {
		wakeup_kswapd(target);
		migrate = false;
	}
	/* migrate_misplaced_folio_prepare: isolate under the PTE lock */
	if (migrate && !folio_isolate_lru(p))
		migrate = false;
	pte_unmap_unlock(pte, ptl);
	if (migrate && migrate_isolated_folio(p, target) == 0)
		count_vm_event(PGPROMOTE_SUCCESS);
	return 0;
}
