/*
 * shmem_huge.c - shmem THPs: when a shmem file may hold a PMD-sized folio
 * (/sys/kernel/mm/transparent_hugepage/shmem_enabled, and for shared
 * anonymous memory hugepages-2048kB/shmem_enabled), and the PMD mapping of
 * such a folio: do_set_pmd at a fault, and the split of that mapping.
 *
 * A shmem THP sits in every page-cache slot of its aligned 2 MiB range
 * (shmem.c), each slot holding one reference.  Its PMD mapping holds one
 * more and has no PTE table deposited beside it, unlike an anonymous THP's:
 * splitting it clears it (the range refaults page by page), as the kernel
 * does for every file PMD.  A write fault on a private mapping never maps
 * it by a PMD (the copy is a small anonymous page).
 *
 * Locks: the PMD lock over the PMD entry; the folio lock (the caller's)
 * while do_set_pmd maps it, which a truncation or a split also takes.
 */
#include "shmem_huge.h"
#include "gup.h"

/* shmem_enabled's choices, in the order the knob lists them */
enum { SHMEM_HUGE_ALWAYS, SHMEM_HUGE_WITHIN_SIZE, SHMEM_HUGE_ADVISE, SHMEM_HUGE_NEVER,
       SHMEM_HUGE_DENY, SHMEM_HUGE_FORCE };
/* hugepages-2048kB/shmem_enabled's */
enum { SHMEM_SIZE_ALWAYS, SHMEM_SIZE_INHERIT, SHMEM_SIZE_WITHIN_SIZE, SHMEM_SIZE_ADVISE,
       SHMEM_SIZE_NEVER };

/* within_size: the whole aligned 2 MiB around @index is inside i_size */
static bool shmem_huge_within_size(struct file *f, unsigned long index)
{
	unsigned long end = (index | (HPAGE_PMD_NR - 1)) + 1;

	return shmem_size(f) >= end;
}

/* shmem_huge_global_enabled: the mount's huge= option, which for the
 * internal mount behind memfd and shared anonymous memory is the top-level
 * shmem_enabled (deny and force aside). */
static bool shmem_huge_global_enabled(struct file *f, unsigned long index,
				      unsigned long vm_flags, bool force)
{
	int mode = READ_ONCE(knobs.thp_shmem_enabled);

	if (mode == SHMEM_HUGE_DENY)
		return false;
	if (force || mode == SHMEM_HUGE_FORCE || mode == SHMEM_HUGE_ALWAYS)
		return true;
	if (mode == SHMEM_HUGE_WITHIN_SIZE && shmem_huge_within_size(f, index))
		return true;
	return (mode == SHMEM_HUGE_WITHIN_SIZE || mode == SHMEM_HUGE_ADVISE) &&
	       (vm_flags & VM_HUGEPAGE);
}

bool shmem_hpage_pmd_enabled(void)
{
	int top = READ_ONCE(knobs.thp_shmem_enabled);
	int pmd = READ_ONCE(knobs.thp_size_shmem_enabled[NR_THP_SIZES]);

	return top == SHMEM_HUGE_ALWAYS || top == SHMEM_HUGE_WITHIN_SIZE ||
	       top == SHMEM_HUGE_ADVISE || top == SHMEM_HUGE_FORCE ||
	       pmd == SHMEM_SIZE_ALWAYS || pmd == SHMEM_SIZE_WITHIN_SIZE || pmd == SHMEM_SIZE_ADVISE;
}

bool shmem_allowable_huge(struct file *f, struct vm_area_struct *v, unsigned long index,
			  unsigned long vm_flags, bool force)
{
	int top = READ_ONCE(knobs.thp_shmem_enabled);
	bool global;

	if (f->mapping->disk || (v && vma_thp_disabled(v, vm_flags, force)))
		return false;
	global = shmem_huge_global_enabled(f, index, vm_flags, force);
	/* a memfd (tmpfs) follows the mount alone; shared anonymous memory
	 * the per-size knob, whose "inherit" is the top level */
	if (!v || !f->anon_shared)
		return global;
	if (top == SHMEM_HUGE_DENY)
		return false;
	switch (READ_ONCE(knobs.thp_size_shmem_enabled[NR_THP_SIZES])) {
	case SHMEM_SIZE_ALWAYS:
		return true;
	case SHMEM_SIZE_WITHIN_SIZE:
		return shmem_huge_within_size(f, index);
	case SHMEM_SIZE_ADVISE:
		return vm_flags & VM_HUGEPAGE;
	case SHMEM_SIZE_INHERIT:
		return global;
	default:
		return false;
	}
}

bool shmem_allowable_huge_write(struct file *f, unsigned long index, uint64_t size)
{
	int mode = READ_ONCE(knobs.thp_shmem_enabled);

	if (f->mapping->disk || f->anon_shared)
		return false;
	if (mode == SHMEM_HUGE_ALWAYS || mode == SHMEM_HUGE_FORCE)
		return true;
	return mode == SHMEM_HUGE_WITHIN_SIZE &&
	       ((size + PAGE_SIZE - 1) >> PAGE_SHIFT) >= (index | (HPAGE_PMD_NR - 1)) + 1;
}

int do_set_pmd(struct vm_area_struct *v, pteval_t *pmd, unsigned long addr, struct page *page,
	       unsigned int flags)
{
	struct page *folio = compound_head(page);
	unsigned long haddr = addr & PMD_MASK;
	spinlock_t *ptl = pmd_lockptr(pmd);
	pteval_t e;

	/* a THP already in the cache: mapped unless THPs are off here (as
	 * a forced collapse would see it) */
	if (vma_thp_disabled(v, v->vm_flags, true) ||
	    !thp_vma_suitable_order(v, haddr, HPAGE_PMD_ORDER))
		return VM_FAULT_FALLBACK;
	/* a CoW or unshare fault copies a small page: never by a PMD */
	if (is_cow_mapping(v->vm_flags) && (flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)))
		return VM_FAULT_FALLBACK;
	if (!folio_test_large(folio) || folio_order(folio) != HPAGE_PMD_ORDER ||
	    folio->index != linear_page_index(v, haddr))
		return VM_FAULT_FALLBACK;
	e = pfn_pte(page_to_pfn(folio), v->vm_page_prot) | _PAGE_PSE | _PAGE_ACCESSED;
	if (flags & FAULT_FLAG_WRITE)
		e = pte_mkdirty(e);
	spin_lock(ptl);
	if (!pte_none(pte_read(pmd))) {
		spin_unlock(ptl);
		return VM_FAULT_FALLBACK;
	}
	add_mm_counter(v->vm_mm, mm_counter(folio), HPAGE_PMD_NR);
	folio_add_file_rmap_pmd(folio, v);
	if (pte_write_bit(e))
		luf_flush_write(v, folio);
	pte_write(pmd, e);
	spin_unlock(ptl);
	count_vm_event(THP_FILE_MAPPED);
	return 0;
}

void __split_huge_pmd_file(struct vm_area_struct *v, pteval_t *pmd, unsigned long haddr,
			   pteval_t old, spinlock_t *ptl)
{
	struct mm_struct *mm = v->vm_mm;
	struct page *folio = pfn_to_page(pte_pfn(old));

	inc_tlb_flush_pending(mm);
	pte_write(pmd, 0);
	if (pte_hw_present(old))
		flush_tlb_mm_range(mm, haddr, haddr + PMD_SIZE, PMD_SHIFT, false);
	dec_tlb_flush_pending(mm);
	if (pte_dirty(old))
		SetPageDirty(folio);
	folio_remove_rmap_pmd(folio, v);
	add_mm_counter(mm, mm_counter(folio), -HPAGE_PMD_NR);
	spin_unlock(ptl);
	put_page(folio);	/* the mapping's */
	count_vm_event(THP_SPLIT_PMD);
}
