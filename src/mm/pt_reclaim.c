/*
 * pt_reclaim.c - freeing empty PTE tables outside of MADV_DONTNEED's zap: the
 * design of the page-table reclaim RFC (June 2024) and the review that followed it.
 *
 * - Asynchronous scan, as task_work when a task returns to user space (in
 *   the model: when a task's system call or access batch ends), at most once
 *   per scan_delay_ms per mm, over the next scan_size bytes of the address
 *   space.  /sys/kernel/mm/mmlab/pt_reclaim/scan: never (default) | always |
 *   madvise (only ranges given MADV_PT_RECLAIM are scanned).
 * - A per-process switch (the RFC's prctl): mmlab_prctl_pt_reclaim().
 * - MADV_PT_RECLAIM: reclaim a range now (and, in madvise mode, mark it for
 *   the scanner).
 * - Filters: a table whose 2 MiB spans more than one VMA is skipped, and so
 *   is any table with a non-none entry (a uffd-wp or guard marker is not
 *   none).  The model has no hugetlb.
 * - scan_mode: `locked` reads each table under its PTE lock; `lockless`
 *   reads it like GUP-fast (RCU, no PTE lock) and takes locks only to free
 *   an empty table, rechecking first.
 *
 * Freeing (try_to_free_pte, shared with the zap) takes mmap_lock for
 * reading (faults run beside it), then the PMD lock and the PTE lock (in
 * that order), rechecks all 512 entries, clears the PMD, and hands the table
 * to an mmu_gather: it is freed by RCU after the
 * TLB flush, so a walker in pte_offset_map() (which holds RCU and rechecks
 * the PMD under the PTE lock) never uses a freed table.
 */
#include <time.h>
#include "swap.h"

#define VM_PT_RECLAIM	(1UL << 40)	/* model-only: madvise(MADV_PT_RECLAIM) */

/* The PTE table at @pmd is empty: read it locklessly (GUP-fast style). */
static bool pte_table_empty_lockless(pteval_t *pmd)
{
	pteval_t pmdval, *pte;
	bool empty = true;

	rcu_read_lock();
	pmdval = pte_read(pmd);
	if (pte_none(pmdval) || pmd_leaf(pmdval) || !pte_hw_present(pmdval)) {
		rcu_read_unlock();
		return false;
	}
	pte = table_of(pte_pfn(pmdval));
	for (int i = 0; i < PTRS_PER_PTE && empty; i++)
		empty = pte_none(pte_read(pte + i));
	/* the table stayed attached while we read it */
	if (pte_read(pmd) != pmdval)
		empty = false;
	rcu_read_unlock();
	return empty;
}

static bool pte_table_empty_locked(struct mm_struct *mm, pteval_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pteval_t *pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	bool empty = true;

	if (!pte)
		return false;
	for (int i = 0; i < PTRS_PER_PTE && empty; i++)
		empty = pte_none(pte_read(pte - pte_index(addr) + i));
	pte_unmap_unlock(pte, ptl);
	return empty;
}

/* Reclaim the empty PTE tables of [start, end) that lie inside one VMA each;
 * mmap_lock held for reading. */
static unsigned long pt_reclaim_range(struct mm_struct *mm, unsigned long start,
				      unsigned long end, bool only_marked)
{
	bool lockless = READ_ONCE(knobs.pt_reclaim_scan_mode) == PT_SCAN_LOCKLESS;
	struct mmu_gather tlb;
	unsigned long freed = 0, addr;

	tlb_gather_mmu(&tlb, mm, false);
	for (addr = start & PMD_MASK; addr < end && addr < TASK_SIZE; addr += PMD_SIZE) {
		struct vm_area_struct *v = find_vma(mm, addr);
		pteval_t *pgd, *pud, *pmd;

		if (!v)
			break;
		if (v->vm_start >= addr + PMD_SIZE) {
			/* no VMA in this 2 MiB: a table here belongs to nobody,
			 * which free_pgtables already handled */
			addr = (v->vm_start & PMD_MASK) - PMD_SIZE;
			continue;
		}
		/* the RFC's filter: a table shared by two VMAs is skipped (a
		 * table partly over a hole is fine: only this VMA uses it) */
		if (v->vm_start > addr) {
			struct vm_area_struct *pv = vma_prev(mm, v);

			if (pv && pv->vm_end > addr)
				continue;
		}
		if (v->vm_end < addr + PMD_SIZE) {
			struct vm_area_struct *nv = vma_next(mm, v);

			if (nv && nv->vm_start < addr + PMD_SIZE)
				continue;
		}
		if (only_marked && !(v->vm_flags & VM_PT_RECLAIM))
			continue;
		pgd = pgd_offset(mm, addr);
		if (pte_none(pte_read(pgd)) || pte_none(pte_read(pud = pud_offset(pgd, addr))))
			continue;
		pmd = pmd_offset(pud, addr);
		if (pte_none(pte_read(pmd)))
			continue;
		count_vm_event(MMLAB_PT_RECLAIM_SCANNED);
		if (!(lockless ? pte_table_empty_lockless(pmd) :
			       pte_table_empty_locked(mm, pmd, addr)))
			continue;
		if (try_to_free_pte(&tlb, pmd, addr)) {
			freed++;
			count_vm_event(MMLAB_PT_RECLAIM_FREED);
		}
		cpu_poll();
	}
	tlb_finish_mmu(&tlb);
	return freed;
}

/* MADV_PT_RECLAIM: now, and in madvise mode the range is scanned later too. */
int madvise_pt_reclaim(struct vm_area_struct *v, unsigned long start, unsigned long end)
{
	v->vm_flags |= VM_PT_RECLAIM;
	pt_reclaim_range(v->vm_mm, start, end, false);
	return 0;
}

/* task_work: the asynchronous scan, when it is due for this mm. */
void pt_reclaim_return_to_user(struct mm_struct *mm)
{
	int scan = READ_ONCE(knobs.pt_reclaim_scan);
	unsigned long start, size, end = 0;

	if (scan == PT_SCAN_NEVER || READ_ONCE(mm->pt_reclaim_off))
		return;
	if (!task_scan_due(&mm->pt_scan_next, READ_ONCE(knobs.pt_reclaim_scan_delay_ms)))
		return;
	if (!down_read_trylock(&mm->mmap_lock))
		return;
	/* like task_numa_work, the window counts mapped bytes only */
	size = ALIGN_UP(READ_ONCE(knobs.pt_reclaim_scan_size), PMD_SIZE);
	start = READ_ONCE(mm->pt_scan_offset);
	count_vm_event(MMLAB_PT_RECLAIM_SCANS);
	for (struct vm_area_struct *v = find_vma(mm, start); v && size;) {
		unsigned long s = max(start, v->vm_start);

		end = min(v->vm_end, s + size < s ? v->vm_end : s + size);
		pt_reclaim_range(mm, s, end, scan == PT_SCAN_MADVISE);
		size -= min(size, end - s);
		start = end;
		if (end < v->vm_end)
			break;
		v = vma_next(mm, v);
		if (!v)
			start = 0;	/* wrap: the next scan starts over */
	}
	WRITE_ONCE(mm->pt_scan_offset, start);
	up_read(&mm->mmap_lock);
}

/* The RFC's per-process switch (prctl). */
int mmlab_prctl_pt_reclaim(struct mmlab_proc *p, bool on)
{
	if (!p)
		return -EINVAL;
	WRITE_ONCE(p->mm->pt_reclaim_off, !on);
	return 0;
}
