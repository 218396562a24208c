/*
 * khugepaged_file.c - collapsing a 2 MiB range of a shmem file into a THP,
 * for khugepaged and MADV_COLLAPSE: the scan of the page cache
 * (hpage_collapse_scan_file), the collapse (collapse_file), the removal of
 * the PTE tables that mapped the range (retract_page_tables), and the PMD
 * mapping of a THP already in the cache (collapse_pte_mapped_thp).
 *
 * A file collapse looks at the page cache, not at page tables: holes count
 * against max_ptes_none and swapped pages against max_ptes_swap
 * (khugepaged only), and a swapped page is read back in.  The old pages
 * are locked, isolated and unmapped from every VMA; their data is copied
 * into the new folio, which replaces them in the cache under mapping->lock
 * (shmem_collapse_commit).  Then every VMA that maps the range PMD-aligned
 * loses its (now empty) PTE table, so the next fault maps the THP by a PMD;
 * MADV_COLLAPSE then maps it at once in the caller's mm.
 *
 * Locks: mmap_lock is not held over the scan and the collapse (as the
 * kernel drops it); retract_page_tables holds i_mmap_rwsem for reading and
 * only trylocks each mm's mmap_lock (a busy mm keeps its table: its next
 * collapse_pte_mapped_thp, or a fault, deals with it); the new folio stays
 * locked until the tables are gone, so no fault maps it by PTEs meanwhile.
 * The scan reads each slot and its folio under mapping->lock.
 */
#include <stdlib.h>
#include "khugepaged.h"
#include "shmem_huge.h"

/* is_refcount_suitable: the cache's reference and one a mapping */
static bool file_refcount_suitable(struct page *p)
{
	return page_ref_count(p) == 1 + folio_mapcount(p);
}

/* Undo a collapse that failed: the old folios (each isolated by
 * collapse_file_take) back on the LRU, unlocked. */
static void collapse_file_rollback(struct page **old, struct page *new)
{
	for (int i = 0; i < HPAGE_PMD_NR; i++) {
		if (!old[i])
			continue;
		folio_putback_lru(old[i]);	/* drops the isolation's */
		folio_unlock(old[i]);
		put_page(old[i]);
	}
	put_page(new);
}

/* Lock, isolate and unmap the small folio at @index (a swapped page read
 * back first); SCAN_SUCCEED with *@out set, or why not (*@out set only
 * once the folio is isolated: one that another isolated - reclaim,
 * migration - or that is still in a per-CPU LRU batch is let go at once,
 * its isolation not ours to undo). */
static int collapse_file_take(struct file *f, unsigned long index, struct page **out)
{
	struct page *p;

	*out = NULL;
	if (shmem_get_folio(f, index, SGP_READ, &p) || !p)
		return SCAN_FAIL;
	if (folio_test_large(compound_head(p))) {
		folio_unlock(p);
		put_page(p);
		return SCAN_PAGE_COMPOUND;
	}
	if (!folio_isolate_lru(p)) {
		folio_unlock(p);
		put_page(p);
		return SCAN_DEL_PAGE_LRU;
	}
	*out = p;
	unmap_mapping_pages(f->mapping, index, index, false);
	/* the cache's, ours and the isolation's */
	if (folio_mapped(p) || page_ref_count(p) != 3)
		return SCAN_PAGE_COUNT;
	return SCAN_SUCCEED;
}

/* A userfaultfd that registered missing mode over [@start, +HPAGE_PMD_NR)
 * of the file expects a fault for each hole: a collapse that fills holes
 * backs off. */
static bool file_has_uffd_missing(struct address_space *as, unsigned long start)
{
	struct vm_area_struct *v;
	bool found = false;

	down_read(&as->i_mmap_rwsem);
	list_for_each_entry(v, &as->i_mmap, shared)
		found |= (v->vm_flags & VM_UFFD_MISSING) && v->vm_pgoff < start + HPAGE_PMD_NR &&
			 v->vm_pgoff + vma_pages(v) > start;
	up_read(&as->i_mmap_rwsem);
	return found;
}

/*
 * retract_page_tables: every VMA mapping page @start of the file at a
 * PMD-aligned address, with its 2 MiB inside the VMA, loses the PTE table
 * there if it holds nothing (collapse_file unmapped the old pages).  A VMA
 * with private copies (anon_vma) or registered for uffd-wp keeps it.
 */
static void retract_page_tables(struct address_space *as, unsigned long start)
{
	struct vm_area_struct *v;

	down_read(&as->i_mmap_rwsem);
	list_for_each_entry(v, &as->i_mmap, shared) {
		unsigned long addr = v->vm_start + ((start - v->vm_pgoff) << PAGE_SHIFT);
		struct mm_struct *mm = v->vm_mm;
		struct mmu_gather tlb;
		pteval_t *pmd;

		if (start < v->vm_pgoff || (addr & ~PMD_MASK) || addr < v->vm_start ||
		    addr + PMD_SIZE > v->vm_end)
			continue;
		if (READ_ONCE(v->anon_vma) || (v->vm_flags & VM_UFFD_WP))
			continue;
		if (!down_read_trylock(&mm->mmap_lock))
			continue;
		tlb_gather_mmu(&tlb, mm, false);
		rcu_read_lock();
		pmd = mm_find_pmd(mm, addr);
		rcu_read_unlock();
		if (pmd)
			try_to_free_pte(&tlb, pmd, addr);
		tlb_finish_mmu(&tlb);
		up_read(&mm->mmap_lock);
	}
	up_read(&as->i_mmap_rwsem);
}

/* The new folio for a file collapse, counted as khugepaged's are. */
static struct page *collapse_file_alloc(void)
{
	struct page *f = vma_alloc_anon_folio(NULL, 0, HPAGE_PMD_ORDER);

	count_vm_event(f ? THP_COLLAPSE_ALLOC : THP_COLLAPSE_ALLOC_FAILED);
	count_mthp_stat(HPAGE_PMD_ORDER, f ? MTHP_STAT_COLLAPSE_ALLOC :
					     MTHP_STAT_COLLAPSE_ALLOC_FAILED);
	return f;
}

/*
 * collapse_file: the shmem pages [@start, +HPAGE_PMD_NR) of @f become one
 * THP.  SCAN_SUCCEED (khugepaged), SCAN_PTE_MAPPED_HUGEPAGE (MADV_COLLAPSE:
 * the caller maps it now), or why not, with nothing changed.
 */
static int collapse_file(struct file *f, unsigned long start, struct collapse_control *cc)
{
	struct address_space *as = f->mapping;
	struct page **old = calloc(HPAGE_PMD_NR, sizeof(*old)), *new;
	int result = SCAN_SUCCEED, nr_none = 0;

	if (!old)
		return SCAN_FAIL;
	new = collapse_file_alloc();
	if (!new) {
		free(old);
		return SCAN_ALLOC_HUGE_PAGE_FAIL;
	}
	for (int i = 0; i < HPAGE_PMD_NR && result == SCAN_SUCCEED; i++) {
		struct page *p;

		switch (shmem_slot_peek(as, start + i, &p)) {
		case SHMEM_SLOT_HOLE:
			nr_none++;
			break;
		case SHMEM_SLOT_POISONED:
			result = SCAN_FAIL;
			break;
		default:
			result = collapse_file_take(f, start + i, &old[i]);
			break;
		}
		cpu_poll();
	}
	if (result == SCAN_SUCCEED && nr_none && file_has_uffd_missing(as, start))
		result = SCAN_EXCEED_NONE_PTE;
	if (result == SCAN_SUCCEED) {
		for (int i = 0; i < HPAGE_PMD_NR; i++)
			if (old[i])
				copy_highpage(new + i, old[i]);
		if (shmem_collapse_commit(as, start, new, old))
			result = SCAN_FAIL;
	}
	if (result != SCAN_SUCCEED) {
		collapse_file_rollback(old, new);
		free(old);
		return result;
	}
	for (int i = 0; i < HPAGE_PMD_NR; i++) {
		if (old[i]) {
			folio_unlock(old[i]);
			put_page(old[i]);	/* the isolation's */
			put_page(old[i]);	/* ours: freed now */
		}
	}
	free(old);
	retract_page_tables(as, start);
	folio_unlock(new);
	put_page(new);	/* the allocation's: the cache holds it now */
	return cc->is_khugepaged ? SCAN_SUCCEED : SCAN_PTE_MAPPED_HUGEPAGE;
}

/*
 * hpage_collapse_scan_file: is [@start, +HPAGE_PMD_NR) of @f worth a
 * collapse?  A THP already there: SCAN_PTE_MAPPED_HUGEPAGE (the caller
 * maps it).  Otherwise collapse_file's result, or why not.
 */
int hpage_collapse_scan_file(struct file *f, unsigned long start, struct collapse_control *cc)
{
	unsigned int present = 0, swap = 0;
	int result = SCAN_SUCCEED;

	for (unsigned long i = 0; i < HPAGE_PMD_NR && result == SCAN_SUCCEED; i++) {
		struct page *p;

		/* each slot under mapping->lock: the folio it holds cannot
		 * leave the cache (be split, freed, reused) while its fields
		 * are read, where the kernel's RCU walk tolerates that race */
		spin_lock(&f->mapping->lock);
		switch (shmem_slot_peek(f->mapping, start + i, &p)) {
		case SHMEM_SLOT_HOLE:
			break;
		case SHMEM_SLOT_SWAP:
		case SHMEM_SLOT_POISONED:
			if (cc->is_khugepaged && ++swap > READ_ONCE(knobs.khugepaged_max_ptes_swap))
				result = SCAN_EXCEED_SWAP_PTE;
			break;
		case SHMEM_SLOT_FOLIO:
			if (folio_test_large(p))
				result = folio_order(p) == HPAGE_PMD_ORDER && p->index == start ?
					 SCAN_PTE_MAPPED_HUGEPAGE : SCAN_PAGE_COMPOUND;
			else if (!test_page_flag(p, PG_lru))
				result = SCAN_PAGE_LRU;
			else if (!file_refcount_suitable(p))
				result = SCAN_PAGE_COUNT;
			else
				present++;
			break;
		}
		spin_unlock(&f->mapping->lock);
	}
	if (result != SCAN_SUCCEED)
		return result;
	if (cc->is_khugepaged &&
	    present < HPAGE_PMD_NR - READ_ONCE(knobs.khugepaged_max_ptes_none))
		return SCAN_EXCEED_NONE_PTE;
	return collapse_file(f, start, cc);
}

/* set_huge_pmd: the PMD at @pmd (none) maps @folio (locked) in @v. */
static void set_huge_pmd(struct vm_area_struct *v, pteval_t *pmd, struct page *folio)
{
	spinlock_t *ptl = pmd_lockptr(pmd);

	spin_lock(ptl);
	if (pte_none(pte_read(pmd))) {
		get_page(folio);	/* the mapping's */
		folio_add_file_rmap_pmd(folio, v);
		add_mm_counter(v->vm_mm, mm_counter(folio), HPAGE_PMD_NR);
		pte_write(pmd, pfn_pte(page_to_pfn(folio), v->vm_page_prot) | _PAGE_PSE |
			  _PAGE_ACCESSED);
		count_vm_event(THP_FILE_MAPPED);
	}
	spin_unlock(ptl);
}

/* Does the PTE table at @pmd map nothing but pages of @folio at their
 * place (the range starting at @haddr)? */
static bool pte_table_maps_only(struct mm_struct *mm, pteval_t *pmd, unsigned long haddr,
				struct page *folio)
{
	spinlock_t *ptl;
	pteval_t *pte = pte_offset_map_lock(mm, pmd, haddr, &ptl);
	bool ok = true;

	if (!pte)
		return true;	/* gone meanwhile: a hole */
	for (int i = 0; i < PTRS_PER_PTE && ok; i++) {
		pteval_t e = pte_read(pte + i);

		ok = pte_none(e) || (pte_present(e) && pte_pfn(e) == page_to_pfn(folio) + i);
	}
	pte_unmap_unlock(pte, ptl);
	return ok;
}

/* Zap the PTEs of [@haddr, +PMD_SIZE) in @v and free their table. */
static bool zap_and_free_table(struct vm_area_struct *v, pteval_t *pmd, unsigned long haddr)
{
	struct zap_details d = { .keep_cows = false };
	struct mmu_gather tlb;
	bool ok;

	tlb_gather_mmu(&tlb, v->vm_mm, false);
	unmap_page_range(&tlb, v, haddr, haddr + PMD_SIZE, &d);
	ok = pte_none(pte_read(pmd)) || try_to_free_pte(&tlb, pmd, haddr);
	tlb_finish_mmu(&tlb);
	return ok;
}

/*
 * collapse_pte_mapped_thp: the THP the cache holds at @addr's 2 MiB of the
 * shmem VMA there replaces the PTE table that maps it (or parts of it) in
 * @mm; with @install_pmd the PMD then maps it (MADV_COLLAPSE), otherwise
 * the next fault does.  mmap_lock held for reading.
 */
int collapse_pte_mapped_thp(struct mm_struct *mm, unsigned long addr, bool install_pmd)
{
	unsigned long haddr = addr & PMD_MASK;
	struct vm_area_struct *v = find_vma(mm, haddr);
	struct page *page, *folio;
	int result = SCAN_SUCCEED;
	pteval_t *pmd;

	if (!v || v->vm_start > haddr || !v->vm_file || v->vm_file->mapping->disk ||
	    !thp_vma_suitable_order(v, haddr, HPAGE_PMD_ORDER) ||
	    !shmem_allowable_huge(v->vm_file, v, linear_page_index(v, haddr), v->vm_flags,
				  install_pmd))
		return SCAN_VMA_CHECK;
	if (v->vm_flags & VM_UFFD_WP)
		return SCAN_PTE_UFFD_WP;
	if (shmem_get_folio(v->vm_file, linear_page_index(v, haddr), SGP_READ, &page) || !page)
		return SCAN_PAGE_NULL;
	folio = compound_head(page);
	if (folio != page || folio_order(folio) != HPAGE_PMD_ORDER) {
		result = SCAN_PAGE_COMPOUND;
		goto out;
	}
	rcu_read_lock();
	pmd = mm_find_pmd(mm, haddr);
	rcu_read_unlock();
	if (pmd && pmd_leaf(pte_read(pmd))) {
		result = pte_pfn(pte_read(pmd)) == page_to_pfn(folio) ? SCAN_PMD_MAPPED : SCAN_FAIL;
		goto out;
	}
	if (pmd && !pte_none(pte_read(pmd))) {
		if (!pte_table_maps_only(mm, pmd, haddr, folio) || !zap_and_free_table(v, pmd, haddr)) {
			result = SCAN_FAIL;
			goto out;
		}
	}
	if (install_pmd) {
		if (!pmd)
			pmd = pmd_alloc(mm, pud_alloc(mm, pgd_offset(mm, haddr), haddr), haddr);
		if (pmd)
			set_huge_pmd(v, pmd, folio);
		else
			result = SCAN_FAIL;
	}
out:
	folio_unlock(folio);
	put_page(folio);
	return result;
}

/* khugepaged_scan_mm_slot's file branch, for the PMD at @haddr of the
 * shmem VMA @v: mmap_lock is dropped for the scan and not held on return
 * (*@locked false: the pass moves on from here next time). */
void khugepaged_scan_file(struct mm_struct *mm, struct vm_area_struct *v, unsigned long haddr,
			  bool *locked, struct collapse_control *cc)
{
	struct file *f = v->vm_file;
	unsigned long pgoff = linear_page_index(v, haddr);
	int r;

	get_file(f);
	up_read(&mm->mmap_lock);
	*locked = false;
	r = hpage_collapse_scan_file(f, pgoff, cc);
	fput(f);
	if (r == SCAN_PTE_MAPPED_HUGEPAGE) {
		down_read(&mm->mmap_lock);
		collapse_pte_mapped_thp(mm, haddr, false);
		up_read(&mm->mmap_lock);
	}
}

/* MADV_COLLAPSE of [@start, @end) inside the shmem VMA @v: each whole PMD
 * is collapsed in the page cache (mmap_lock dropped meanwhile) and then
 * mapped by a PMD here.  mmap_lock held for reading on entry and return. */
int madvise_collapse_file(struct mm_struct *mm, struct vm_area_struct *v, unsigned long start,
			  unsigned long end)
{
	struct collapse_control cc = { .is_khugepaged = false };
	unsigned long hstart = ALIGN_UP(start, PMD_SIZE), hend = end & PMD_MASK, thps = 0;
	unsigned long vstart = v->vm_start, vpgoff = v->vm_pgoff;
	struct file *f = v->vm_file;
	int last_fail = SCAN_FAIL;

	if (f->mapping->disk || v->vm_end - v->vm_start < PMD_SIZE ||
	    !thp_vma_suitable_order(v, v->vm_end - PMD_SIZE, HPAGE_PMD_ORDER) ||
	    !shmem_allowable_huge(f, v, v->vm_pgoff, v->vm_flags, true) || hstart > hend)
		return -EINVAL;
	lru_add_drain_all();
	get_file(f);
	for (unsigned long addr = hstart; addr < hend; addr += PMD_SIZE) {
		int r;

		up_read(&mm->mmap_lock);
		r = hpage_collapse_scan_file(f, vpgoff + ((addr - vstart) >> PAGE_SHIFT), &cc);
		down_read(&mm->mmap_lock);
		if (r == SCAN_PTE_MAPPED_HUGEPAGE)
			r = collapse_pte_mapped_thp(mm, addr, true);
		if (!madvise_collapse_tally(r, &thps, &last_fail))
			break;
	}
	fput(f);
	return thps == (hend - hstart) / PMD_SIZE ? 0 : madvise_collapse_errno(last_fail);
}
