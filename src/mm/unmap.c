/*
 * unmap.c - tearing down mappings: zap_pte_range and unmap_page_range
 * (munmap, MADV_DONTNEED, exit), with the empty-table reclaim of
 * MADV_DONTNEED (6.14+), free_pgtables, and unmap_mapping_range (a file
 * range out of every mapping: truncation, hole punching).  Split from
 * memory.c.
 *
 * Locks: a zap holds mmap_lock (read for MADV_DONTNEED, write otherwise)
 * and each table's PTE lock while it clears entries; the pages and the
 * emptied tables go to the mmu_gather and are freed only after its TLB
 * flush (tables through RCU).  Freeing a table takes the PMD lock, and the
 * fast path of the empty-table reclaim only trylocks it under the PTE lock.
 * unmap_mapping_range zaps other processes' VMAs holding only the file's
 * i_mmap_rwsem: a VMA leaves i_mmap before its page tables are freed.
 */
#include "swap.h"

/* ---- zap ---- */

/* Markers that survive a zap: guard markers, and uffd-wp ones of file
 * memory still registered for wp, unless the zap tears the mapping down
 * (munmap, exit: ZAP_FLAG_DROP_MARKER). */
static bool zap_keep_marker(struct vm_area_struct *v, swp_entry_t e, struct zap_details *d)
{
	if (d && d->drop_markers)
		return false;
	if (swp_offset(e) & PTE_MARKER_GUARD)
		return true;
	if ((swp_offset(e) & PTE_MARKER_SOFT_DIRTY) && v->vm_file && READ_ONCE(knobs.soft_dirty))
		return true;
	return (swp_offset(e) & PTE_MARKER_UFFD_WP) && v->vm_file && (v->vm_flags & VM_UFFD_WP);
}

/* zap_install_uffd_wp_if_needed: file memory keeps wp where a PTE goes. */
static bool zap_install_uffd_wp(struct vm_area_struct *v, pteval_t old, pteval_t *pte,
				struct zap_details *d)
{
	bool wp = pte_present(old) ? (old & _PAGE_UFFD_WP) : (old & _PAGE_SWP_UFFD_WP);
	bool sd = pte_present(old) ? (old & _PAGE_SOFT_DIRTY) : (old & _PAGE_SWP_SOFT_DIRTY);
	unsigned long m = 0;

	if (!v->vm_file || (d && d->drop_markers))
		return false;
	if (wp && (v->vm_flags & VM_UFFD_WP))
		m |= PTE_MARKER_UFFD_WP;
	/* model-only: shmem keeps soft-dirty across the zap (the PTE-marker RFC's problem (c)) */
	if (sd && READ_ONCE(knobs.soft_dirty))
		m |= PTE_MARKER_SOFT_DIRTY;
	if (!m)
		return false;
	pte_write(pte, make_pte_marker(m));
	return true;
}

/* Hand an emptied PTE table to the gather: freed by RCU after the flush. */
static void free_pte(struct mmu_gather *tlb, unsigned long addr, pteval_t pmdval)
{
	mm_dec_nr_ptes(tlb->mm);
	tlb_remove_tlb_entry(tlb, addr);
	tlb_remove_table(tlb, pfn_to_page(pte_pfn(pmdval)));
}

/*
 * try_to_free_pte, the slow path of page-table reclaim: with the PMD lock,
 * then the PTE lock, check that all 512 entries are still none and detach
 * the table.
 */
bool try_to_free_pte(struct mmu_gather *tlb, pteval_t *pmd, unsigned long addr)
{
	spinlock_t *pml = pmd_lockptr(pmd), *ptl;
	pteval_t pmdval, *pte;

	spin_lock(pml);
	pmdval = pte_read(pmd);
	if (pte_none(pmdval) || pmd_leaf(pmdval)) {
		spin_unlock(pml);
		return false;
	}
	ptl = &pfn_to_page(pte_pfn(pmdval))->ptl;
	spin_lock(ptl);
	pte = table_of(pte_pfn(pmdval));
	for (int i = 0; i < PTRS_PER_PTE; i++) {
		if (!pte_none(pte_read(pte + i))) {
			spin_unlock(ptl);
			spin_unlock(pml);
			return false;
		}
	}
	pte_write(pmd, 0);
	spin_unlock(ptl);
	spin_unlock(pml);
	free_pte(tlb, addr & PMD_MASK, pmdval);
	return true;
}

/*
 * Zap PTEs of one table in [addr, end); returns where it stopped (end, or
 * earlier when the gather filled up and must be flushed first).  With
 * details->reclaim_pt (MADV_DONTNEED, as upstream since 6.14) a table whose
 * whole range was zapped and that holds nothing any more is freed: the fast
 * path takes the PMD lock with a trylock while the PTE lock is held.
 */
static unsigned long zap_pte_range(struct mmu_gather *tlb,
				   struct vm_area_struct *v, pteval_t *pmd,
				   unsigned long addr, unsigned long end,
				   struct zap_details *d)
{
	struct mm_struct *mm = v->vm_mm;
	spinlock_t *ptl;
	pteval_t *start_pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	pteval_t *pte = start_pte, pmdval = 0;
	long rss[NR_MM_COUNTERS] = { 0 };
	bool force_flush = false, direct_reclaim = false;
	bool can_reclaim_pt = d && d->reclaim_pt && READ_ONCE(knobs.pt_reclaim_zap) &&
			      end - addr >= PMD_SIZE;
	unsigned long start = addr;
	/* the large folio whose PTEs this run is removing: as the kernel
	 * removes a folio's consecutive PTEs in one batch, it is queued for
	 * deferred split only after its run, if still partly mapped */
	struct page *batch_folio = NULL;

	/* no table: none now (nothing to zap), or a PMD mapping installed
	 * meanwhile (a collapse under mmap_lock for reading): the caller
	 * looks at the PMD again, as zap_pmd_range does */
	if (!pte)
		return addr;
	flush_tlb_batched_pending(mm);
	for (; addr < end; addr += PAGE_SIZE, pte++) {
		pteval_t old = pte_read(pte);
		struct page *page;

		if (pte_none(old))
			continue;
		if (!pte_present(old)) {
			swp_entry_t e = pte_to_swp_entry(old);

			/* swapped private copies stay without even_cows */
			if (d && d->keep_cows && (!non_swap_entry(e) ||
			    (is_migration_entry(e) && PageAnon(pfn_to_page(swp_offset(e))))))
				continue;
			if (!non_swap_entry(e)) {
				rss[MM_SWAPENTS]--;
				free_swap_and_cache(e);
			} else if (is_migration_entry(e)) {
				rss[mm_counter(pfn_to_page(swp_offset(e)))]--;
			} else if (is_pte_marker_entry(e) && zap_keep_marker(v, e, d)) {
				can_reclaim_pt = false;	/* a kept entry: not empty */
				continue;
			}
			pte_write(pte, 0);
			if (zap_install_uffd_wp(v, old, pte, d))
				can_reclaim_pt = false;
			continue;
		}
		page = vm_normal_page(old);
		/* should_zap_folio: without even_cows, only file pages */
		if (d && d->keep_cows && page && PageAnon(page))
			continue;
		old = pte_xchg(pte, 0);
		tlb_remove_tlb_entry(tlb, addr);
		if (zap_install_uffd_wp(v, old, pte, d))
			can_reclaim_pt = false;
		if (!page)
			continue;
		if (!PageAnon(page) && pte_dirty(old))
			SetPageDirty(page);
		rss[mm_counter(page)]--;
		if (folio_test_large(compound_head(page))) {
			struct page *f = compound_head(page);

			if (batch_folio && batch_folio != f)
				deferred_split_folio(batch_folio, true);
			batch_folio = PageAnon(f) ? f : NULL;
			__folio_remove_rmap_ptes(f, page, 1, v, false);
		} else {
			page_remove_rmap(page, v);
		}
		if (tlb_remove_page(tlb, page)) {
			force_flush = true;
			addr += PAGE_SIZE;
			break;
		}
	}
	if (batch_folio)	/* the gather's reference keeps it */
		deferred_split_folio(batch_folio, true);
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i])
			add_mm_counter(mm, i, rss[i]);
	if (can_reclaim_pt && !force_flush) {
		/* fast path: the PMD lock nests outside the PTE lock, so only
		 * a trylock is allowed here */
		spinlock_t *pml = pmd_lockptr(pmd);

		if (spin_trylock(pml)) {
			bool empty = true;

			for (int i = 0; i < PTRS_PER_PTE && empty; i++)
				empty = pte_none(pte_read(start_pte - pte_index(start) + i));
			if (empty) {
				pmdval = pte_read(pmd);
				pte_write(pmd, 0);
				direct_reclaim = true;
			}
			spin_unlock(pml);
		}
	}
	pte_unmap_unlock(start_pte, ptl);
	if (direct_reclaim)
		free_pte(tlb, start, pmdval);
	else if (can_reclaim_pt && !force_flush)
		try_to_free_pte(tlb, pmd, start);
	if (force_flush)
		tlb_flush_mmu(tlb);
	return addr;
}

void unmap_page_range(struct mmu_gather *tlb, struct vm_area_struct *v,
		      unsigned long addr, unsigned long end,
		      struct zap_details *d)
{
	struct mm_struct *mm = v->vm_mm;

	update_hiwater_rss(mm);		/* before RSS goes down */
	while (addr < end) {
		pteval_t *pgd = pgd_offset(mm, addr), *pud, *pmd;
		unsigned long next;

		if (pte_none(pte_read(pgd))) {
			next = (addr + PGDIR_SIZE) & PGDIR_MASK;
			addr = next && next < end ? next : end;
			continue;
		}
		pud = pud_offset(pgd, addr);
		if (pte_none(pte_read(pud))) {
			next = (addr + PUD_SIZE) & PUD_MASK;
			addr = next && next < end ? next : end;
			continue;
		}
		pmd = pmd_offset(pud, addr);
		next = (addr + PMD_SIZE) & PMD_MASK;
		if (!next || next > end)
			next = end;
		if (pte_none(pte_read(pmd))) {
			addr = next;
			continue;
		}
		if (pmd_leaf(pte_read(pmd))) {
			if (next - addr == PMD_SIZE && zap_huge_pmd(tlb, v, pmd, addr)) {
				addr = next;
				continue;
			}
			__split_huge_pmd(v, pmd, addr);
		}
		addr = zap_pte_range(tlb, v, pmd, addr, next, d);
		cpu_poll();
	}
	luf_tlb_vma(tlb, v);	/* after the PTE locks: LUF's clears are seen */
}

/* ---- unmap_mapping_range ---- */

/* The part of @v mapping file pages [@first, @last] out of its tables. */
static void unmap_mapping_vma(struct vm_area_struct *v, unsigned long first,
			      unsigned long last, struct zap_details *d)
{
	unsigned long vfirst = v->vm_pgoff, vlast = v->vm_pgoff + vma_pages(v) - 1;
	unsigned long s = max(vfirst, first), e = min(vlast, last);
	struct mmu_gather tlb;

	if (s > e)
		return;
	tlb_gather_mmu(&tlb, v->vm_mm, false);
	unmap_page_range(&tlb, v, v->vm_start + ((s - vfirst) << PAGE_SHIFT),
			 v->vm_start + ((e - vfirst + 1) << PAGE_SHIFT), d);
	tlb_finish_mmu(&tlb);
}

/*
 * unmap_mapping_pages: zap file pages [@first, @last] (page indexes) in
 * every VMA that maps them; with @even_cows the private copies a
 * MAP_PRIVATE mapping made of them go too (truncation), without they stay
 * (hole punching).  Markers stay, as a zap leaves them.
 */
void unmap_mapping_pages(struct address_space *as, unsigned long first,
			 unsigned long last, bool even_cows)
{
	struct zap_details d = { .keep_cows = !even_cows };
	struct vm_area_struct *v;

	down_read(&as->i_mmap_rwsem);
	list_for_each_entry(v, &as->i_mmap, shared)
		unmap_mapping_vma(v, first, last, &d);
	up_read(&as->i_mmap_rwsem);
}

/* unmap_mapping_folio: a locked page cache folio about to leave the cache
 * out of every mapping (its private copies stay; its markers go). */
void unmap_mapping_folio(struct page *folio)
{
	struct zap_details d = { .keep_cows = true, .drop_markers = true };
	struct address_space *as = folio->mapping;
	struct vm_area_struct *v;

	down_read(&as->i_mmap_rwsem);
	list_for_each_entry(v, &as->i_mmap, shared)
		unmap_mapping_vma(v, folio->index, folio->index + folio_nr_pages(folio) - 1, &d);
	up_read(&as->i_mmap_rwsem);
}

/* ---- freeing page tables (free_pgd_range) ---- */

static void free_pte_table(struct mmu_gather *tlb, pteval_t *pmd, unsigned long addr)
{
	struct page *t = pfn_to_page(pte_pfn(pte_read(pmd)));
	spinlock_t *pl = pmd_lockptr(pmd);

	spin_lock(pl);
	pte_write(pmd, 0);
	spin_unlock(pl);
	mm_dec_nr_ptes(tlb->mm);
	tlb_remove_tlb_entry(tlb, addr);
	tlb_remove_table(tlb, t);
}

/* Clear *entry (a PMD or PUD table pointer) and free the table. */
static void free_upper_table(struct mmu_gather *tlb, pteval_t *entry,
			     unsigned long addr)
{
	struct page *t = pfn_to_page(pte_pfn(pte_read(entry)));

	spin_lock(&tlb->mm->page_table_lock);
	pte_write(entry, 0);
	spin_unlock(&tlb->mm->page_table_lock);
	mm_dec_nr_ptes(tlb->mm);
	tlb_remove_tlb_entry(tlb, addr);
	tlb_remove_table(tlb, t);
}

/* Is [start rounded down to @mask, +size) inside [floor, ceiling)? */
static bool table_span_free(unsigned long start, unsigned long end,
			    unsigned long floor, unsigned long ceiling,
			    unsigned long mask)
{
	start &= mask;
	if (start < floor)
		return false;
	if (ceiling) {
		ceiling &= mask;
		if (!ceiling)
			return false;
	}
	return end - 1 <= ceiling - 1;
}

static void free_pmd_range(struct mmu_gather *tlb, pteval_t *pud,
			   unsigned long addr, unsigned long end,
			   unsigned long floor, unsigned long ceiling)
{
	unsigned long start = addr;

	do {
		pteval_t *pmd = pmd_offset(pud, addr);
		unsigned long next = (addr + PMD_SIZE) & PMD_MASK;

		if (!next || next > end)
			next = end;
		if (!pte_none(pte_read(pmd)))
			free_pte_table(tlb, pmd, addr);
		addr = next;
	} while (addr < end);

	if (table_span_free(start, end, floor, ceiling, PUD_MASK))
		free_upper_table(tlb, pud, start & PUD_MASK);
}

static void free_pud_range(struct mmu_gather *tlb, pteval_t *pgd,
			   unsigned long addr, unsigned long end,
			   unsigned long floor, unsigned long ceiling)
{
	unsigned long start = addr;

	do {
		pteval_t *pud = pud_offset(pgd, addr);
		unsigned long next = (addr + PUD_SIZE) & PUD_MASK;

		if (!next || next > end)
			next = end;
		if (!pte_none(pte_read(pud)))
			free_pmd_range(tlb, pud, addr, next, floor, ceiling);
		addr = next;
	} while (addr < end);

	if (table_span_free(start, end, floor, ceiling, PGDIR_MASK))
		free_upper_table(tlb, pgd, start & PGDIR_MASK);
}

/*
 * Free the page tables that map only [addr, end), within the limits
 * [floor, ceiling) that neighbouring VMAs still need (ceiling 0: the top).
 */
void free_pgtables(struct mmu_gather *tlb, struct mm_struct *mm,
		   unsigned long addr, unsigned long end,
		   unsigned long floor, unsigned long ceiling)
{
	addr &= PMD_MASK;
	if (addr < floor) {
		addr += PMD_SIZE;
		if (!addr)
			return;
	}
	if (ceiling) {
		ceiling &= PMD_MASK;
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		end -= PMD_SIZE;
	if (addr > end - 1)
		return;
	tlb->freed_tables = true;
	do {
		pteval_t *pgd = pgd_offset(mm, addr);
		unsigned long next = (addr + PGDIR_SIZE) & PGDIR_MASK;

		if (!next || next > end)
			next = end;
		if (!pte_none(pte_read(pgd)))
			free_pud_range(tlb, pgd, addr, next, floor, ceiling);
		addr = next;
	} while (addr && addr < end);
}

