/*
 * mprotect.c - changing the protection of a range: split the VMAs at the
 * range's ends, rewrite the present PTEs (change_pte_range), flush the TLB
 * for every PTE whose change needs it (x86's pte_needs_flush), merge back.
 *
 * mmap_lock is held for writing; each PTE table's lock while its entries
 * change; the flush is gathered (mmu_gather) and done before returning.
 */
#include <sys/mman.h>
#include "swap.h"

#define VM_GROWSDOWN_FLAG 0x00000100UL

#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif

/* pte_modify(): keep the frame and A/D/software bits, take the new prot. */
pteval_t pte_modify(pteval_t old, pteval_t newprot)
{
	const pteval_t keep = PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY |
		_PAGE_SPECIAL | _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP | _PAGE_PCD | _PAGE_PWT;

	return (old & keep) | (newprot & ~keep);
}

/* x86 pte_needs_flush(): does going from @o to @n need a TLB flush? */
static bool pte_needs_flush(pteval_t o, pteval_t n)
{
	const pteval_t on_clear = _PAGE_DIRTY | _PAGE_PRESENT;
	const pteval_t on_change = _PAGE_RW | _PAGE_USER | _PAGE_PWT | _PAGE_PCD |
		_PAGE_PSE | _PAGE_GLOBAL | _PAGE_NX;
	pteval_t diff = (o ^ n) & ~_PAGE_ACCESSED;

	if (!(o & _PAGE_PRESENT))
		return false;
	if (pte_pfn(o) != pte_pfn(n))
		return true;
	return (diff & o & on_clear) || (diff & on_change);
}

/* can_change_pte_writable(): may a write-protected PTE become writable now? */
bool can_change_pte_writable(struct vm_area_struct *v, pteval_t pte)
{
	struct page *p;

	if (!(v->vm_flags & VM_WRITE) || pte_special(pte))
		return false;
	/* soft-dirty tracking needs the write fault of a clean PTE */
	if (vma_soft_dirty_enabled(v) && !(pte & _PAGE_SOFT_DIRTY))
		return false;
	if (v->vm_flags & VM_SHARED)
		return pte_dirty(pte);
	p = pfn_to_page(pte_pfn(pte));
	return PageAnon(p) && PageAnonExclusive(p);
}

static void change_pte_range(struct mmu_gather *tlb, struct vm_area_struct *v,
			     pteval_t *pmd, unsigned long addr, unsigned long end,
			     unsigned int cp_flags)
{
	bool uffd_wp = cp_flags & MM_CP_UFFD_WP, resolve = cp_flags & MM_CP_UFFD_WP_RESOLVE;
	const pteval_t wp_marker = make_pte_marker(PTE_MARKER_UFFD_WP);
	bool markers = uffd_wp && userfaultfd_wp_use_markers(v);
	spinlock_t *ptl;
	pteval_t *pte0 = pte_offset_map_lock(v->vm_mm, pmd, addr, &ptl), *pte = pte0;

	if (!pte)
		return;
	flush_tlb_batched_pending(v->vm_mm);
	for (; addr < end; addr += PAGE_SIZE, pte++) {
		pteval_t old = pte_read(pte), new;

		if (pte_none(old)) {
			/* file memory keeps wp on holes as markers (anonymous
			 * holes only with WP_UNPOPULATED) */
			if (uffd_wp && markers)
				pte_write(pte, wp_marker);
			continue;
		}
		if (!pte_present(old)) {
			if (old == wp_marker) {
				if (resolve)
					pte_write(pte, 0);
			} else if (!non_swap_entry(pte_to_swp_entry(old)) ||
				   is_migration_entry(pte_to_swp_entry(old))) {
				swp_entry_t e = pte_to_swp_entry(old);

				/*
				 * A writable migration entry would come back
				 * writable (remove_migration_pte) whatever the
				 * new protection: make it readable, as the
				 * kernel does; a write faults and decides.
				 */
				if (swp_type(e) == SWP_MIGRATION_WRITE) {
					struct page *f = compound_head(pfn_to_page(swp_offset(e)));
					pteval_t keep = old & (_PAGE_SWP_SOFT_DIRTY | _PAGE_SWP_UFFD_WP);

					e = swp_entry(PageAnon(f) ? SWP_MIGRATION_READ_EXCLUSIVE :
						      SWP_MIGRATION_READ, swp_offset(e));
					old = swp_entry_to_pte(e) | keep;
					pte_write(pte, old);
				}
				if (uffd_wp)
					pte_write(pte, old | _PAGE_SWP_UFFD_WP);
				else if (resolve)
					pte_write(pte, old & ~_PAGE_SWP_UFFD_WP);
			}
			continue;
		}
		/* ptep_modify_prot_start: take the entry so no A/D update is lost */
		old = pte_xchg(pte, 0);
		new = pte_modify(old, v->vm_page_prot);
		if (uffd_wp)
			new = (new | _PAGE_UFFD_WP) & ~_PAGE_RW;
		else if (resolve)
			new &= ~_PAGE_UFFD_WP;
		else if (old & _PAGE_UFFD_WP)
			new = (new | _PAGE_UFFD_WP) & ~_PAGE_RW;	/* stays protected */
		if (!uffd_wp && !(new & _PAGE_UFFD_WP) && !pte_write_bit(new) &&
		    (new & _PAGE_PRESENT) && can_change_pte_writable(v, new))
			new |= _PAGE_RW;
		/* LUF: writes must not hide from an older copy still cached */
		if (pte_write_bit(new) && !pte_write_bit(old))
			luf_flush_write(v, pte_special(new) ? NULL : pfn_to_page(pte_pfn(new)));
		pte_write(pte, new);
		if (pte_needs_flush(old, new))
			tlb_remove_tlb_entry(tlb, addr);
	}
	pte_unmap_unlock(pte0, ptl);
}

/* Rewrite the PTEs of [addr, end) in @v for its protection, or for uffd-wp
 * (which also fills holes of file memory with markers: tables allocated). */
int change_protection(struct mmu_gather *tlb, struct vm_area_struct *v,
		      unsigned long addr, unsigned long end, unsigned int cp_flags)
{
	struct mm_struct *mm = v->vm_mm;
	bool alloc = (cp_flags & MM_CP_UFFD_WP) && userfaultfd_wp_use_markers(v);

	while (addr < end) {
		pteval_t *pgd = pgd_offset(mm, addr), *pud, *pmd;
		unsigned long next = (addr + PMD_SIZE) & PMD_MASK;

		if (!next || next > end)
			next = end;
		if (alloc) {
			pud = pud_alloc(mm, pgd, addr);
			pmd = pud ? pmd_alloc(mm, pud, addr) : NULL;
			if (!pmd || (pte_none(pte_read(pmd)) && __pte_alloc(mm, pmd)))
				return -ENOMEM;
		} else if (pte_none(pte_read(pgd)) ||
			   pte_none(pte_read(pud = pud_offset(pgd, addr))) ||
			   pte_none(pte_read(pmd = pmd_offset(pud, addr)))) {
			addr = next;
			continue;
		}
		/* a PMD-mapped THP: changed whole when the range covers it
		 * (change_huge_pmd; for userfaultfd anonymous ones only, as
		 * pgtable_split_needed says), else split */
		if (pmd_leaf(pte_read(pmd))) {
			if (next - addr == PMD_SIZE && (!cp_flags || !v->vm_file) &&
			    change_huge_pmd(tlb, v, pmd, addr, v->vm_page_prot, cp_flags)) {
				addr = next;
				continue;
			}
			__split_huge_pmd(v, pmd, addr);
		}
		change_pte_range(tlb, v, pmd, addr, next, cp_flags);
		addr = next;
	}
	return 0;
}

/*
 * Give [start, end) inside @v the flags @newflags: split, change, merge.
 * Shared by mprotect and madvise's flag-changing advice.
 */
int vma_modify_flags(struct vm_area_struct *v, unsigned long start,
		     unsigned long end, unsigned long newflags)
{
	struct mm_struct *mm = v->vm_mm;
	unsigned long oldflags = v->vm_flags;
	struct mmu_gather tlb;

	if (newflags == oldflags)
		return 0;
	if (!(v = vma_split_range(v, start, end)))
		return -ENOMEM;
	/* rmap walkers read the flags without mmap_lock (VM_LOCKED) */
	WRITE_ONCE(v->vm_flags, newflags);
	vma_set_page_prot(v);
	if ((oldflags ^ newflags) & (VM_ACCESS_FLAGS | VM_SHARED)) {
		tlb_gather_mmu(&tlb, mm, false);
		tlb.luf_skip = true;
		tlb.ipi_why = MMLAB_IPIS_CHANGE_PROT;
		change_protection(&tlb, v, start, end, 0);
		luf_tlb_vma(&tlb, v);
		tlb_finish_mmu(&tlb);
	}
	vma_merge_neighbours(v);
	return 0;
}

int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len,
		unsigned long prot)
{
	const unsigned long valid = PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM |
		PROT_GROWSDOWN | PROT_GROWSUP;
	unsigned long end, tmp;
	struct vm_area_struct *v;
	int error = 0;

	/* the kernel's order of checks: growsdown|growsup, alignment, length,
	 * then the protection bits */
	if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = ALIGN_UP(len, PAGE_SIZE);
	end = start + len;
	if (!len || end <= start)
		return -ENOMEM;
	if (prot & ~valid)
		return -EINVAL;

	mmap_write_lock(mm);
	v = find_vma(mm, start);
	if (!v) {
		error = -ENOMEM;
		goto out;
	}
	if (prot & PROT_GROWSDOWN) {
		/* a stack: the change reaches down to its start */
		if (v->vm_start >= end) {
			error = -ENOMEM;
			goto out;
		}
		if (!(v->vm_flags & VM_GROWSDOWN_FLAG)) {
			error = -EINVAL;
			goto out;
		}
		start = v->vm_start;
	} else if (v->vm_start > start) {
		error = -ENOMEM;
		goto out;
	}
	for (tmp = v->vm_start; v && v->vm_start < end;) {
		unsigned long newflags, oldflags = v->vm_flags, stop;

		if (v->vm_start != tmp) {
			error = -ENOMEM;	/* a hole: what came before stays done */
			break;
		}
		newflags = (oldflags & ~VM_ACCESS_FLAGS) |
			   ((prot & PROT_READ) ? VM_READ : 0) |
			   ((prot & PROT_WRITE) ? VM_WRITE : 0) |
			   ((prot & PROT_EXEC) ? VM_EXEC : 0);
		if ((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS) {
			error = -EACCES;
			break;
		}
		if (vma_is_sealed(v)) {		/* mprotect_fixup */
			error = -EPERM;
			break;
		}
		/* becoming writable: a private mapping is now accounted; made
		 * read-only before any anonymous page exists, it is not */
		if ((newflags & VM_WRITE) &&
		    !(oldflags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE))) {
			if (!vm_enough_memory((min(v->vm_end, end) - max(start, v->vm_start)) >> PAGE_SHIFT)) {
				error = -ENOMEM;
				break;
			}
			newflags |= VM_ACCOUNT;
		}
		else if (!(newflags & VM_WRITE) && (oldflags & VM_ACCOUNT) &&
			 vma_is_anonymous(v) && !v->anon_vma)
			newflags &= ~VM_ACCOUNT;
		stop = min(v->vm_end, end);
		error = vma_modify_flags(v, max(start, v->vm_start), stop, newflags);
		if (error)
			break;
		/* a locked private mapping made writable: break CoW now, so
		 * that its pages stay resident as writes need them */
		if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) == VM_LOCKED &&
		    (newflags & VM_WRITE))
			populate_vma_page_range(find_vma(mm, stop - 1), max(start, tmp), stop);
		/* go on after the VMA that now holds the range: it may have
		 * merged with the next one (vma_iter_end) */
		v = find_vma(mm, stop - 1);
		tmp = v->vm_end;
		if (tmp >= end)
			break;
		v = find_vma(mm, tmp);
	}
	if (!error && tmp < end)
		error = -ENOMEM;
out:
	mmap_write_unlock(mm);
	return error;
}
