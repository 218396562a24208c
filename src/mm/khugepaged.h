/*
 * khugepaged.h - what the khugepaged scanner (khugepaged.c: the khugepaged
 * thread, the mm list, hpage_collapse_scan_*, MADV_COLLAPSE) and the
 * collapse (khugepaged_collapse.c: collapse_folio and its steps) share:
 * the scan results, the collapse control, the max_ptes_none limit and the
 * collapse entry points.  The kernel keeps all of it in mm/khugepaged.c.
 */
#ifndef MMLAB_KHUGEPAGED_H
#define MMLAB_KHUGEPAGED_H

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
	SCAN_PTE_MAPPED_HUGEPAGE,
};

struct collapse_control {
	bool is_khugepaged;
};

static inline bool pte_none_or_zero(pteval_t e)
{
	return pte_none(e) || (pte_present(e) && pte_pfn(e) == zero_pfn);
}

/* The max_ptes_none that applies to a chunk of @order. */
static inline unsigned int max_ptes_none_for(unsigned int order)
{
	unsigned int m = READ_ONCE(knobs.khugepaged_max_ptes_none);

	if (order == HPAGE_PMD_ORDER)
		return m;
	if (READ_ONCE(knobs.mthp_creep_guard) && m > HPAGE_PMD_NR / 2 - 1)
		m = HPAGE_PMD_NR / 2 - 1;
	return m >> (HPAGE_PMD_ORDER - order);
}

/* The VMA at @addr still allows a collapse of @order there
 * (hugepage_vma_revalidate); NULL if not. */
struct vm_area_struct *collapse_revalidate(struct mm_struct *mm, unsigned long addr,
					   unsigned int order, struct collapse_control *cc);

/* Collapse the chunk of @order at @addr into one new folio: SCAN_SUCCEED or
 * why not.  Called with mmap_lock held for reading; returns with it
 * released. */
int collapse_folio(struct mm_struct *mm, unsigned long addr, unsigned int order,
		   bool swapped, struct collapse_control *cc);

/* The file side (khugepaged_file.c): a shmem range's collapse, and the
 * PMD mapping of a THP the page cache already holds. */
int hpage_collapse_scan_file(struct file *f, unsigned long start, struct collapse_control *cc);
int collapse_pte_mapped_thp(struct mm_struct *mm, unsigned long addr, bool install_pmd);
bool khugepaged_file_vma(struct vm_area_struct *v);
void khugepaged_scan_file(struct mm_struct *mm, struct vm_area_struct *v, unsigned long haddr,
			  bool *locked, struct collapse_control *cc);
int madvise_collapse_file(struct mm_struct *mm, struct vm_area_struct *v, unsigned long start,
			  unsigned long end);
/* MADV_COLLAPSE's bookkeeping (khugepaged.c) */
bool madvise_collapse_tally(int r, unsigned long *thps, int *last_fail);
int madvise_collapse_errno(int r);

#endif
