/*
 * memory.c - page faults: the model's
 * mm/memory.c (zapping and page-table teardown are in unmap.c).
 *
 * Faults run under mmap_lock for reading, or under their VMA's lock alone
 * (do_user_addr_fault's per-VMA path); the PTE lock of the table guards
 * each PTE change, and every change rechecks the entry it read before
 * taking the lock (a racing fault may have filled it).  A PTE that loses a
 * permission or a frame is followed by a TLB flush before the frame can be
 * reused: ptep_clear_flush() for single PTEs, mmu_gather for ranges.
 *
 * Anonymous exclusivity follows the kernel's rules: a new anonymous page is
 * exclusive (PG_anon_exclusive); fork clears the mark and write-protects both
 * sides; a write fault reuses a page that is exclusive, or whose only
 * reference is this mapping (and marks it exclusive again); otherwise it
 * copies.  Fork's copy of page tables is in copy_page_range.c.
 */
#include "gup.h"
#include "shmem_huge.h"

struct page *zero_page;
unsigned long zero_pfn;

int memory_init(void)
{
	thp_init();
	zero_page = alloc_page(GFP_ZERO);
	if (!zero_page)
		return -ENOMEM;
	set_page_flag(zero_page, PG_reserved);
	zero_pfn = page_to_pfn(zero_page);
	return 0;
}

/* Writable and dirty, for a VMA that allows writes. */
pteval_t pte_mkwrite_prot(pteval_t v)
{
	return pte_mkdirty(v | _PAGE_RW);
}

/* LUF: a PTE about to become writable over @p (NULL: a new page), PTE lock
 * held, must not leave a CPU reading an older copy through a lazily
 * unmapped entry. */
static inline void luf_before_writable(struct vm_area_struct *v, struct page *p, pteval_t e)
{
	if (pte_write_bit(e))
		luf_flush_write(v, p);
}

/* Clear a PTE and flush it from every TLB before returning it. */
static pteval_t ptep_clear_flush(struct vm_area_struct *v, unsigned long addr,
				 pteval_t *pte)
{
	pteval_t old;

	/* the detector treats the window between clear and flush as legal */
	inc_tlb_flush_pending(v->vm_mm);
	old = pte_xchg(pte, 0);
	if (pte_hw_present(old))
		flush_tlb_mm_range(v->vm_mm, addr, addr + PAGE_SIZE, PAGE_SHIFT, false);
	dec_tlb_flush_pending(v->vm_mm);
	return old;
}

struct vm_fault {
	struct vm_area_struct *vma;
	unsigned long address;
	unsigned int flags;
	pteval_t *pmd;
	pteval_t *pte;
	pteval_t orig_pte;
	spinlock_t *ptl;
};

/* The PTE this fault fills held a uffd-wp marker of a VMA still registered
 * for wp: the new PTE stays write-protected for userfaultfd. */
static bool uffd_wp_marked(struct vm_fault *vmf)
{
	return is_swap_pte(vmf->orig_pte) && (vmf->vma->vm_flags & VM_UFFD_WP) &&
	       is_pte_marker_entry(pte_to_swp_entry(vmf->orig_pte)) &&
	       (swp_offset(pte_to_swp_entry(vmf->orig_pte)) & PTE_MARKER_UFFD_WP);
}

/* A model soft-dirty marker: the page was written in this mm before the
 * PTE went away; the new PTE keeps that. */
static pteval_t marker_soft_dirty(struct vm_fault *vmf)
{
	return is_swap_pte(vmf->orig_pte) &&
	       is_pte_marker_entry(pte_to_swp_entry(vmf->orig_pte)) &&
	       (swp_offset(pte_to_swp_entry(vmf->orig_pte)) & PTE_MARKER_SOFT_DIRTY) ?
		_PAGE_SOFT_DIRTY : 0;
}

/*
 * alloc_anon_folio: the largest enabled mTHP order whose aligned range lies
 * in the VMA with all its PTEs none; order 0 otherwise.  Returns the folio
 * (NULL on OOM) and its order in *order.
 */
static struct page *alloc_anon_folio(struct vm_fault *vmf, unsigned int *order)
{
	struct vm_area_struct *v = vmf->vma;
	unsigned long orders = 0;
	pteval_t *pte;

	*order = 0;
	if (!(v->vm_flags & (VM_UFFD_MISSING | VM_UFFD_WP)))
		orders = thp_vma_allowable_orders(v, (1UL << HPAGE_PMD_ORDER) - 1, true);
	if (orders && (pte = pte_offset_map(vmf->pmd, vmf->address, NULL))) {
		pteval_t *base = pte - pte_index(vmf->address);

		for (unsigned int o = HPAGE_PMD_ORDER - 1; o >= 2; o--) {
			unsigned long nr = 1UL << o, a = vmf->address & ~((nr << PAGE_SHIFT) - 1);
			bool none = true;

			if (!(orders & (1UL << o)) || !thp_vma_suitable_order(v, vmf->address, o))
				continue;
			for (unsigned long i = 0; i < nr && none; i++)
				none = pte_none(pte_read(base + pte_index(a) + i));
			if (!none)
				continue;
			{
				struct page *f = vma_alloc_anon_folio(v, a, o);

				if (f) {
					pte_unmap(pte);
					*order = o;
					count_mthp_stat(o, MTHP_STAT_ANON_FAULT_ALLOC);
					return f;
				}
				count_mthp_stat(o, MTHP_STAT_ANON_FAULT_FALLBACK);
			}
		}
		pte_unmap(pte);
	}
	return vma_alloc_folio(v, vmf->address, 0, GFP_ZERO | GFP_NODATA_OK);
}

static int do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *v = vmf->vma;
	struct mm_struct *mm = v->vm_mm;
	struct page *page = NULL;
	unsigned int order = 0;
	unsigned long nr = 1, addr = vmf->address;
	pteval_t entry;

	if ((v->vm_flags & VM_UFFD_MISSING) && !(vmf->flags & FAULT_FLAG_NO_UFFD))
		return handle_userfault(mm, vmf->address, MMLAB_UFFD_MISSING);
	if (!(vmf->flags & FAULT_FLAG_WRITE) && !mm_forbids_zeropage(mm)) {
		/* read: the shared zero page, never writable */
		entry = pfn_pte(zero_pfn, v->vm_page_prot & ~_PAGE_RW) | _PAGE_SPECIAL;
	} else {
		if (anon_vma_prepare(v))
			return VM_FAULT_OOM;
		page = alloc_anon_folio(vmf, &order);
		if (!page)
			return VM_FAULT_OOM;
		nr = 1UL << order;
		addr = vmf->address & ~((nr << PAGE_SHIFT) - 1);
		entry = pfn_pte(page_to_pfn(page), v->vm_page_prot);
		if (v->vm_flags & VM_WRITE)
			entry = pte_mkwrite_prot(entry);
	}
	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte) {
		if (page)
			put_page(page);
		return VM_FAULT_RETRY;
	}
	if (nr > 1) {
		pteval_t *first = vmf->pte - pte_index(vmf->address) + pte_index(addr);

		for (unsigned long i = 0; i < nr; i++) {
			if (!pte_none(pte_read(first + i))) {
				/* raced: let the access retry (it may take a
				 * smaller order then) */
				pte_unmap_unlock(vmf->pte, vmf->ptl);
				put_page(page);
				return 0;
			}
		}
		entry |= _PAGE_ACCESSED;
		atomic_add(&page->_refcount, (int)nr - 1);	/* one per PTE */
		folio_add_new_anon_rmap_large(page, v, addr, false);
		add_mm_counter(mm, MM_ANONPAGES, (long)nr);
		luf_before_writable(v, page, entry);
		for (unsigned long i = 0; i < nr; i++)
			pte_write(first + i, entry + (i << PAGE_SHIFT));
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		folio_add_lru_vma(page, v);
		count_vm_event(MMLAB_MTHP_FAULT_ALLOC);
		return 0;
	}
	if (pte_read(vmf->pte) != vmf->orig_pte) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		if (page)
			put_page(page);
		return 0;
	}
	if (uffd_wp_marked(vmf))
		entry = (entry | _PAGE_UFFD_WP) & ~_PAGE_RW;
	entry |= marker_soft_dirty(vmf);
	if (page) {
		folio_add_new_anon_rmap(page, v, vmf->address);
		add_mm_counter(mm, MM_ANONPAGES, 1);
	}
	luf_before_writable(v, page, entry);
	pte_write(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (page)
		folio_add_lru_vma(page, v);
	return 0;
}

/*
 * filemap_map_pages: fault-around's map_pages for shmem and disk files.  Maps every folio
 * of the page cache in [@start_pgoff, @end_pgoff] that next_uptodate_folio
 * finds (uptodate, trylocked; holes and swap entries are left to their own
 * faults) where the PTE is none, as set_pte_range maps a read fault: the
 * VMA's protection (writable only where vm_page_prot is, as for the faulting
 * page), young (x86 does not want old prefaulted PTEs), file rmap and
 * MM_SHMEMPAGES (MM_FILEPAGES for a disk file).  Returns true when the faulting address was mapped
 * (VM_FAULT_NOPAGE).  All of the range lies in the PTE table of
 * vmf->address, under its lock.
 */
/*
 * The pages of @folio's that a fault at @index maps by PTEs: all of them
 * when the whole folio lies in the VMA and in one PTE table (6.18 maps a
 * large folio whole, for fault-around and for shmem's finish_fault alike),
 * else [@index, @last] clipped to it.  First page index in *@first.
 */
static unsigned long folio_map_range(struct vm_area_struct *v, struct page *folio,
				     unsigned long index, unsigned long last, unsigned long *first)
{
	unsigned long nr = folio_nr_pages(folio), fstart = folio->index;
	unsigned long addr = v->vm_start + ((fstart - v->vm_pgoff) << PAGE_SHIFT);

	if (nr > 1 && fstart >= v->vm_pgoff && fstart + nr <= v->vm_pgoff + vma_pages(v) &&
	    (addr & PMD_MASK) == ((addr + (nr << PAGE_SHIFT) - 1) & PMD_MASK)) {
		*first = fstart;
		return nr;
	}
	*first = index;
	return min(last, fstart + nr - 1) - index + 1;
}

static bool filemap_map_pages(struct vm_fault *vmf, unsigned long start_pgoff,
			      unsigned long end_pgoff)
{
	struct vm_area_struct *v = vmf->vma;
	struct mm_struct *mm = v->vm_mm;
	unsigned long index = start_pgoff;
	struct page *folio;
	pteval_t *table;
	long rss = 0;
	bool mapped = false;

	folio = next_uptodate_folio(v->vm_file, &index, end_pgoff);
	if (!folio)
		return false;
	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte) {
		folio_unlock(folio);
		put_page(folio);
		return false;
	}
	table = vmf->pte - pte_index(vmf->address);
	do {
		unsigned long first, nr = folio_map_range(v, folio, index, end_pgoff, &first);

		for (unsigned long i = first; i < first + nr; i++) {
			unsigned long addr = v->vm_start + ((i - v->vm_pgoff) << PAGE_SHIFT);
			struct page *page = folio + (i - folio->index);
			pteval_t *pte = table + pte_index(addr);
			pteval_t entry = pfn_pte(page_to_pfn(page), v->vm_page_prot);

			/* set_pte_range: writable over a dirty folio is dirty too */
			if (pte_write_bit(entry) && PageDirty(folio))
				entry = pte_mkdirty(entry);
			/* markers and present PTEs are left to their own faults */
			if (!pte_none(pte_read(pte)))
				continue;
			if (addr == vmf->address)
				mapped = true;
			get_page(folio);	/* the mapping's */
			folio_add_file_rmap(page, v);
			rss++;
			luf_before_writable(v, page, entry);
			pte_write(pte, entry);
		}
		folio_unlock(folio);
		put_page(folio);
		index = first + nr;
	} while (index <= end_pgoff && (folio = next_uptodate_folio(v->vm_file, &index, end_pgoff)));
	add_mm_counter(mm, v->vm_file->mapping->disk ? MM_FILEPAGES : MM_SHMEMPAGES, rss);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return mapped;
}

/* fault_around_pages: 1 (fault_around_bytes = PAGE_SIZE) disables it. */
static inline unsigned long fault_around_pages(void)
{
	return READ_ONCE(knobs.fault_around_bytes) >> PAGE_SHIFT;
}

/* should_fault_around: not for a VMA registered for uffd-wp or minor
 * faults: uffd_disable_fault_around wants each PTE to come through a fault
 * of its own there; missing mode does not mind. */
static bool should_fault_around(struct vm_fault *vmf)
{
	if (vmf->vma->vm_flags & (VM_UFFD_WP | VM_UFFD_MINOR))
		return false;
	return fault_around_pages() > 1;
}

/*
 * do_fault_around: the window of fault_around_pages aligned in virtual
 * address around the fault, clipped to the VMA and to the PTE table; a
 * window cut at the VMA's start is moved up to stay fault_around_pages long
 * (as the kernel's from_pte/to_pte).
 */
static bool do_fault_around(struct vm_fault *vmf)
{
	struct vm_area_struct *v = vmf->vma;
	unsigned long nr_pages = fault_around_pages();
	unsigned long pte_off = pte_index(vmf->address);
	unsigned long pgoff = linear_page_index(v, vmf->address);
	unsigned long vma_off = pgoff - v->vm_pgoff;
	unsigned long vma_pages = (v->vm_end - v->vm_start) >> PAGE_SHIFT;
	unsigned long from_pte, to_pte;

	from_pte = max(ALIGN_DOWN(pte_off, nr_pages), pte_off - min(pte_off, vma_off));
	to_pte = min(min(from_pte + nr_pages, (unsigned long)PTRS_PER_PTE),
		     pte_off + vma_pages - vma_off) - 1;
	return filemap_map_pages(vmf, pgoff + from_pte - pte_off, pgoff + to_pte - pte_off);
}

/*
 * finish_fault on a page of a shmem THP (6.18): the whole folio is mapped
 * by PTEs when it lies in the VMA and in this PTE table and every one of
 * its entries is none; not in a VMA registered with userfaultfd (each
 * page there comes through a fault of its own).  @entry is the faulting
 * page's; the PTE lock is held.  False: map the one page.
 */
static bool finish_fault_folio(struct vm_fault *vmf, struct page *page, pteval_t entry)
{
	struct vm_area_struct *v = vmf->vma;
	struct page *folio = compound_head(page);
	unsigned long first, nr, index = linear_page_index(v, vmf->address);
	pteval_t *base;

	if (!folio_test_large(folio) || v->vm_file->mapping->disk ||
	    (v->vm_flags & (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)))
		return false;
	nr = folio_map_range(v, folio, index, index, &first);
	if (nr == 1)
		return false;
	base = vmf->pte - (index - first);
	for (unsigned long i = 0; i < nr; i++)
		if (!pte_none(pte_read(base + i)))
			return false;
	if (vmf->flags & FAULT_FLAG_WRITE)
		SetPageDirty(folio);
	for (unsigned long i = 0; i < nr; i++) {
		pteval_t *pte = base + i;
		struct page *p = folio + (first - folio->index) + i;
		pteval_t e = (entry & ~PTE_PFN_MASK) | (pfn_pte(page_to_pfn(p), 0) & PTE_PFN_MASK);

		if (p != page)
			get_page(folio);	/* each PTE's; the fault's is the page's */
		folio_add_file_rmap(p, v);
		luf_before_writable(v, p, e);
		pte_write(pte, e);
	}
	add_mm_counter(v->vm_mm, mm_counter(folio), (long)nr);
	return true;
}

/*
 * Fault on a none PTE of a shmem-backed VMA (shared anon or memfd).  The
 * page cache folio stays locked until its PTE (or, for a write to a private
 * mapping, its copy's: do_cow_fault) is in place, so that a truncation,
 * which takes folios out under their lock, unmaps whatever it maps.
 */
static int do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *v = vmf->vma;
	struct mm_struct *mm = v->vm_mm;
	unsigned long pgoff = linear_page_index(v, vmf->address);
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	struct page *page, *map = NULL;
	pteval_t entry;
	int ret;

	/* do_read_fault: map what the cache has around first; the fault
	 * proper only if that did not map the faulting page */
	if (!write && should_fault_around(vmf) && do_fault_around(vmf))
		return 0;
	if (pgoff >= shmem_size(v->vm_file))
		return VM_FAULT_SIGBUS;
	/* filemap_fault on a disk file: a miss is a major fault, and a read
	 * reads around it; the retried fault maps what is then cached */
	if (v->vm_file->mapping->disk && shmem_slot_empty(v->vm_file, pgoff)) {
		count_vm_event(PGMAJFAULT);
		if (!write) {
			filemap_readaround(v->vm_file, pgoff, v->vm_flags);
			if (should_fault_around(vmf) && do_fault_around(vmf))
				return 0;
		}
	}
	/* shmem's missing fault: nothing in the page cache */
	if ((v->vm_flags & VM_UFFD_MISSING) && !(vmf->flags & FAULT_FLAG_NO_UFFD) &&
	    shmem_slot_empty(v->vm_file, pgoff))
		return handle_userfault(mm, vmf->address, MMLAB_UFFD_MISSING);
	/* and its minor fault: the page cache has it (or its swap entry) */
	if ((v->vm_flags & VM_UFFD_MINOR) && !(vmf->flags & FAULT_FLAG_NO_UFFD) &&
	    !shmem_slot_empty(v->vm_file, pgoff))
		return handle_userfault(mm, vmf->address, MMLAB_UFFD_MINOR);
	if (write && !(v->vm_flags & VM_SHARED)) {
		/* do_cow_fault: the copy is allocated first (allocation may
		 * reclaim: not with the folio locked) */
		if (anon_vma_prepare(v) || !(map = vma_alloc_folio(v, vmf->address, 0, 0)))
			return VM_FAULT_OOM;
	}
	ret = shmem_get_folio(v->vm_file, pgoff, SGP_CACHE, &page);
	if (ret) {
		if (map)
			put_page(map);
		return ret == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	}
	/* filemap_fault on a readahead marker (PG_reclaim's bit, which
	 * reclaim set on a dirty folio) starts async readahead: it goes */
	if (v->vm_file->mapping->disk)
		clear_page_flag(page, PG_reclaim);
	if (map) {
		copy_highpage(map, page);
		entry = pte_mkwrite_prot(pfn_pte(page_to_pfn(map), v->vm_page_prot));
	} else {
		map = page;
		entry = pfn_pte(page_to_pfn(page), v->vm_page_prot);
		/* set_pte_range: a read mapping a dirty folio writable marks
		 * the PTE dirty too */
		if (write || (pte_write_bit(entry) && PageDirty(page)))
			entry = pte_mkdirty(entry);
	}
	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte || pte_read(vmf->pte) != vmf->orig_pte) {
		if (vmf->pte)
			pte_unmap_unlock(vmf->pte, vmf->ptl);
		folio_unlock(page);
		put_page(page);
		if (map != page)
			put_page(map);
		return vmf->pte ? 0 : VM_FAULT_RETRY;
	}
	if (map == page && finish_fault_folio(vmf, page, entry))
		goto mapped;
	if (uffd_wp_marked(vmf))
		entry = (entry | _PAGE_UFFD_WP) & ~_PAGE_RW;
	entry |= marker_soft_dirty(vmf);
	if (map != page) {
		folio_add_new_anon_rmap(map, v, vmf->address);
		add_mm_counter(mm, MM_ANONPAGES, 1);
	} else {
		if (write)
			SetPageDirty(page);
		folio_add_file_rmap(page, v);
		add_mm_counter(mm, mm_counter(page), 1);
	}
	luf_before_writable(v, map, entry);
	pte_write(vmf->pte, entry);
mapped:
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	folio_unlock(page);	/* mapped under the lock, as finish_fault */
	if (map != page) {
		put_page(page);
		folio_add_lru_vma(map, v);
	}
	return 0;
}

/*
 * A fault on a none PMD of a shmem VMA: the part of shmem_fault and
 * finish_fault that maps a PMD.  The page cache's THP at the address, or a
 * new one where shmem_enabled allows it (shmem_get_huge_page), is mapped by
 * the PMD (do_set_pmd); anything else falls back to the PTE level, where
 * do_fault maps one page (of a THP too).  A minor-fault registration wants
 * every page through its own fault.
 */
static int do_shmem_pmd_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *v = vmf->vma;
	unsigned long haddr = vmf->address & PMD_MASK;
	unsigned long pgoff = linear_page_index(v, vmf->address);
	struct page *page = NULL, *folio;
	int ret;

	if ((v->vm_flags & (VM_UFFD_MINOR | VM_UFFD_MISSING)) || pgoff >= shmem_size(v->vm_file) ||
	    !thp_vma_suitable_order(v, haddr, HPAGE_PMD_ORDER))
		return VM_FAULT_FALLBACK;
	folio = shmem_find_page(v->vm_file, pgoff);
	if (folio && folio_test_large(compound_head(folio))) {
		if (shmem_get_folio(v->vm_file, pgoff, SGP_CACHE, &page))
			return VM_FAULT_FALLBACK;
	} else if (!folio && !(is_cow_mapping(v->vm_flags) && (vmf->flags & FAULT_FLAG_WRITE)) &&
		   shmem_allowable_huge(v->vm_file, v, pgoff, v->vm_flags, false)) {
		page = shmem_get_huge_page(v->vm_file, v, pgoff, false);
	}
	if (!page)
		return VM_FAULT_FALLBACK;
	if (vmf->flags & FAULT_FLAG_WRITE)
		SetPageDirty(page);
	ret = do_set_pmd(v, vmf->pmd, vmf->address, page, vmf->flags);
	folio_unlock(page);
	if (ret)
		put_page(page);	/* not mapped: the PTE level maps a page of it */
	return ret;
}

/*
 * Copy-on-write: a new exclusive anonymous page replaces the mapped one.
 * Called with the PTE lock held and a reference on @old; allocates with the
 * lock dropped (allocation may reclaim), then rechecks the PTE.  Returns
 * with the lock released.  An unshare (FAULT_FLAG_UNSHARE) maps the copy
 * read-only and clean, keeping the old entry's tracking bits; a write maps
 * it dirty, and writable where the VMA allows (not for a FOLL_FORCE write
 * into a read-only mapping).
 */
static int wp_page_copy(struct vm_fault *vmf, struct page *old)
{
	struct vm_area_struct *v = vmf->vma;
	struct mm_struct *mm = v->vm_mm;
	struct page *new;
	pteval_t entry;

	pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (anon_vma_prepare(v))
		return VM_FAULT_OOM;
	new = vma_alloc_folio(v, vmf->address, 0, old ? 0 : GFP_ZERO | GFP_NODATA_OK);
	if (!new)
		return VM_FAULT_OOM;
	if (old)
		copy_highpage(new, old);
	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte || pte_read(vmf->pte) != vmf->orig_pte) {
		if (vmf->pte)
			pte_unmap_unlock(vmf->pte, vmf->ptl);
		put_page(new);
		return 0;	/* changed under us: the access retries */
	}
	entry = pfn_pte(page_to_pfn(new), v->vm_page_prot);
	if (vmf->flags & FAULT_FLAG_UNSHARE)
		entry |= vmf->orig_pte & (_PAGE_SOFT_DIRTY | _PAGE_UFFD_WP);
	else if (v->vm_flags & VM_WRITE)
		entry = pte_mkwrite_prot(entry);
	else
		entry = pte_mkdirty(entry);
	ptep_clear_flush(v, vmf->address, vmf->pte);
	folio_add_new_anon_rmap(new, v, vmf->address);
	add_mm_counter(mm, MM_ANONPAGES, 1);
	if (old) {
		add_mm_counter(mm, mm_counter(old), -1);
		page_remove_rmap(old, v);
	}
	luf_before_writable(v, new, entry);
	pte_write(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	folio_add_lru_vma(new, v);
	if (old)
		put_page(old);	/* the old mapping's reference */
	count_vm_event(MMLAB_COW_COPIES);
	return 0;
}

/*
 * Can this write fault keep the anonymous page (wp_can_reuse_anon_folio)?
 * Yes if it is exclusive, or if the only reference left is this mapping's
 * (a swap-cache copy is dropped first); then it becomes exclusive again and
 * moves to this VMA's anon_vma.
 */
static bool wp_can_reuse_anon_page(struct page *p, struct vm_area_struct *v)
{
	struct page *f = compound_head(p);

	if (PageAnonExclusive(p))
		return true;
	if (folio_test_large(f)) {
		/* a large folio is reused only when this mm maps all of it
		 * and nothing else holds a reference (6.16+) */
		if (folio_maybe_mapped_shared(f) || !folio_mm_owns_all(f, v->vm_mm) ||
		    folio_mapcount(f) != page_ref_count(f) || !folio_trylock(f))
			return false;
		if (folio_mapcount(f) != page_ref_count(f) || !folio_mm_owns_all(f, v->vm_mm)) {
			folio_unlock(f);
			return false;
		}
		folio_move_anon_rmap(f, v);
		SetPageAnonExclusive(p);
		folio_unlock(f);
		return true;
	}
	if (page_ref_count(p) > 3)
		return false;
	/* a reference may be this CPU's LRU batch: let it go first (one in
	 * another CPU's batch still forces a copy, as in the kernel) */
	if (!test_page_flag(p, PG_lru))
		lru_add_drain();
	if (page_ref_count(p) > 1 + PageSwapCache(p))
		return false;
	if (!folio_trylock(p))
		return false;
	if (PageSwapCache(p))
		folio_free_swap(p);
	if (page_ref_count(p) != 1) {
		folio_unlock(p);
		return false;
	}
	folio_move_anon_rmap(p, v);
	SetPageAnonExclusive(p);
	folio_unlock(p);
	return true;
}

/* A write to a present, write-protected PTE, or an unshare of it (a
 * read-only pin must not share an anonymous page); PTE lock held. */
static int do_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *v = vmf->vma;
	pteval_t pte = vmf->orig_pte;
	struct page *page = vm_normal_page(pte);
	bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;

	if (unshare && ((v->vm_flags & VM_SHARED) ||
			(page && PageAnon(page) && wp_can_reuse_anon_page(page, v)))) {
		/* shared memory needs no unsharing; an anonymous page this
		 * mm may keep is exclusive now, and stays read-only */
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return 0;
	}
	if (!unshare && (pte & _PAGE_UFFD_WP)) {
		if ((v->vm_flags & VM_UFFD_WP) && !userfaultfd_wp_async(v)) {
			pte_unmap_unlock(vmf->pte, vmf->ptl);
			return handle_userfault(v->vm_mm, vmf->address, MMLAB_UFFD_WP);
		}
		pte &= ~_PAGE_UFFD_WP;	/* unregistered: an ordinary wp fault */
		if (v->vm_flags & VM_UFFD_WP) {
			/* WP_ASYNC: the kernel resolves it; the bit goes now,
			 * the write then reuses or copies as any wp fault */
			pte_write(vmf->pte, pte);
			vmf->orig_pte = pte;
		}
	}

	if ((v->vm_flags & VM_SHARED) ||
	    (page && PageAnon(page) && wp_can_reuse_anon_page(page, v))) {
		/* wp_page_reuse: upgrading needs no flush (but LUF's copies
		 * may); maybe_mkwrite: a FOLL_FORCE write into a read-only
		 * mapping leaves the PTE dirty but read-only */
		pteval_t entry = (v->vm_flags & VM_WRITE) ? pte_mkwrite_prot(pte) : pte_mkdirty(pte);

		if (page && PageAnon(page))
			debug_check_exclusive(page, v, vmf->address, (swp_entry_t){ 0 });
		luf_before_writable(v, page, entry);
		pte_write(vmf->pte, entry | _PAGE_ACCESSED);
		if (page && !PageAnon(page))
			SetPageDirty(page);
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		count_vm_event(MMLAB_COW_REUSES);
		count_vm_event(PGREUSE);
		return 0;
	}
	if (page)
		get_page(page);	/* keep it while we copy */
	{
		int ret = wp_page_copy(vmf, page);

		if (page)
			put_page(page);
		return ret;
	}
}

/* Replace a swap PTE whose slot could not be read with a poisoned marker:
 * every later access gets SIGBUS, as after a swapin error in the kernel. */
static void swapin_error(struct vm_fault *vmf, swp_entry_t e)
{
	struct mm_struct *mm = vmf->vma->vm_mm;

	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte)
		return;
	if (pte_read(vmf->pte) == vmf->orig_pte) {
		pte_write(vmf->pte, make_pte_marker(PTE_MARKER_POISONED));
		add_mm_counter(mm, MM_SWAPENTS, -1);
		swap_free(e);
	}
	pte_unmap_unlock(vmf->pte, vmf->ptl);
}

/*
 * do_swap_page: a fault on a non-present, non-none PTE.  Swap entries are
 * read in through the swap cache (a folio still there maps without I/O);
 * migration entries wait for the migration; markers: POISONED is SIGBUS.
 */
static int do_swap_page(struct vm_fault *vmf)
{
	struct vm_area_struct *v = vmf->vma;
	struct mm_struct *mm = v->vm_mm;
	swp_entry_t e = pte_to_swp_entry(vmf->orig_pte);
	struct page *folio;
	bool io = false, exclusive;
	pteval_t pte;
	int err = 0;

	if (non_swap_entry(e)) {
		if (is_migration_entry(e)) {
			migration_entry_wait(mm, vmf->pmd, vmf->address);
			return 0;
		}
		if (is_pte_marker_entry(e) && (swp_offset(e) & PTE_MARKER_GUARD))
			return VM_FAULT_SIGSEGV;
		if (is_pte_marker_entry(e) &&
		    !(swp_offset(e) & (PTE_MARKER_POISONED | PTE_MARKER_GUARD)) &&
		    !(swp_offset(e) & PTE_MARKER_UFFD_WP)) {
			/* PAGEOUT / soft-dirty markers: none with information;
			 * the fault proceeds and fills the PTE over it */
			return vma_is_anonymous(v) ? do_anonymous_page(vmf) : do_fault(vmf);
		}
		if (is_pte_marker_entry(e) && (swp_offset(e) & PTE_MARKER_UFFD_WP)) {
			/* none with wp information: fault the page in (the new
			 * PTE keeps wp), or drop a marker nobody watches */
			if (!(v->vm_flags & VM_UFFD_WP)) {
				vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
				if (vmf->pte) {
					if (pte_read(vmf->pte) == vmf->orig_pte)
						pte_write(vmf->pte, 0);
					pte_unmap_unlock(vmf->pte, vmf->ptl);
				}
				return 0;
			}
			return vma_is_anonymous(v) ? do_anonymous_page(vmf) : do_fault(vmf);
		}
		return VM_FAULT_SIGBUS;	/* POISONED, and anything unknown */
	}
	folio = read_swap_cache_async(e, v, vmf->address, &io, &err);
	if (!folio) {
		if (err == -ENOMEM)
			return VM_FAULT_OOM;
		if (err == -EIO) {
			swapin_error(vmf, e);
			return VM_FAULT_SIGBUS;
		}
		/* an entry no swap area holds (as get_swap_device's "Bad swap
		 * file entry"): the fault retries, but say so once */
		VM_WARN_ON_ONCE(err == -EINVAL);
		return 0;	/* the PTE changed: retry */
	}
	if (io)
		count_vm_event(PGMAJFAULT);
	folio_lock(folio);
	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte || pte_read(vmf->pte) != vmf->orig_pte ||
	    !PageSwapCache(folio) || page_swap_entry(folio).val != e.val) {
		if (vmf->pte)
			pte_unmap_unlock(vmf->pte, vmf->ptl);
		folio_unlock(folio);
		put_page(folio);
		return 0;
	}
	if (!PageAnon(folio)) {
		/* a new folio read for this mm: it becomes anonymous here */
		if (anon_vma_prepare(v)) {
			pte_unmap_unlock(vmf->pte, vmf->ptl);
			folio_unlock(folio);
			put_page(folio);
			return VM_FAULT_OOM;
		}
		anon_vma_get(v->anon_vma);
		folio->mapping = v->anon_vma;
		folio->index = linear_page_index(v, vmf->address);
		set_page_flag(folio, PG_anon);
	}
	exclusive = vmf->orig_pte & _PAGE_SWP_EXCLUSIVE;
	pte = pfn_pte(page_to_pfn(folio), v->vm_page_prot);
	if (vmf->orig_pte & _PAGE_SWP_SOFT_DIRTY)
		pte |= _PAGE_SOFT_DIRTY;
	if (vmf->orig_pte & _PAGE_SWP_UFFD_WP)
		pte |= _PAGE_UFFD_WP;
	add_mm_counter(mm, MM_ANONPAGES, 1);
	add_mm_counter(mm, MM_SWAPENTS, -1);
	swap_free(e);
	/* should_try_to_free_swap: swap is filling up, or a write fault by
	 * the only user: the swap copy is not worth keeping */
	if (vm_swap_full() ||
	    ((vmf->flags & FAULT_FLAG_WRITE) && page_ref_count(folio) == 2))
		folio_free_swap(folio);
	if (exclusive || page_ref_count(folio) == 1) {
		if ((v->vm_flags & VM_WRITE) && !(pte & _PAGE_UFFD_WP)) {
			pte |= _PAGE_RW;
			if (vmf->flags & FAULT_FLAG_WRITE) {
				pte = pte_mkdirty(pte);
				vmf->flags &= ~FAULT_FLAG_WRITE;
			}
		}
		SetPageAnonExclusive(folio);
		debug_check_exclusive(folio, v, vmf->address, e);
	}
	folio_dup_rmap(folio, vmf->vma);
	luf_before_writable(v, folio, pte);
	pte_write(vmf->pte, pte);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	folio_unlock(folio);
	/* the swap cache's or our reference becomes the mapping's */
	return 0;
}

static int handle_pte_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *v = vmf->vma;
	pteval_t *pte = pte_offset_map(vmf->pmd, vmf->address, NULL);
	pteval_t entry;

	if (!pte)
		return VM_FAULT_RETRY;
	entry = pte_read(pte);
	pte_unmap(pte);
	vmf->orig_pte = entry;
	if (pte_none(entry))
		return vma_is_anonymous(v) ? do_anonymous_page(vmf) : do_fault(vmf);
	if (!pte_present(entry)) {
		vmf->orig_pte = entry;
		return do_swap_page(vmf);
	}
	/* PROT_NONE in an accessible VMA: a NUMA-hinting fault */
	if (!pte_hw_present(entry) && (v->vm_flags & VM_ACCESS_FLAGS))
		return do_numa_page(v, vmf->pmd, vmf->address, entry);

	vmf->pte = pte_offset_map_lock(v->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte)
		return VM_FAULT_RETRY;
	vmf->orig_pte = pte_read(vmf->pte);
	if (vmf->orig_pte != entry) {
		/* changed under us (A/D bits set by a walker, or a racing fault) */
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return 0;
	}
	if (vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
		if (!pte_write_bit(entry))
			return do_wp_page(vmf);
		if (vmf->flags & FAULT_FLAG_WRITE)
			pte_write(vmf->pte, pte_mkdirty(entry) | _PAGE_ACCESSED);
	} else if (!pte_young(entry)) {
		pte_write(vmf->pte, entry | _PAGE_ACCESSED);
	}
	/* otherwise a spurious fault: the TLB refills on retry */
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/* The PMD level: a THP to create, or a PMD-mapped one to fault on;
 * VM_FAULT_FALLBACK sends the fault on to the PTE level. */
static int handle_pmd_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *v = vmf->vma;
	pteval_t pmdval = pte_read(vmf->pmd);
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;

	if (pte_none(pmdval)) {
		if (!vma_is_anonymous(v))
			return v->vm_file->mapping->disk ? VM_FAULT_FALLBACK : do_shmem_pmd_fault(vmf);
		if (thp_vma_allowable_orders(v, 1UL << HPAGE_PMD_ORDER, true)) {
			khugepaged_enter_vma(v, v->vm_flags);
			return do_huge_pmd_anonymous_page(v, vmf->pmd, vmf->address, vmf->flags);
		}
		return VM_FAULT_FALLBACK;
	}
	if (!pmd_leaf(pmdval))
		return VM_FAULT_FALLBACK;
	if (!pte_hw_present(pmdval)) {
		spinlock_t *ptl = pmd_lockptr(vmf->pmd);
		bool same;

		/* a PMD in transition (pmdp_invalidate: a split or a move)
		 * is settled once its lock is free: look again */
		spin_lock(ptl);
		same = pte_read(vmf->pmd) == pmdval;
		spin_unlock(ptl);
		/* PROT_NONE (a NUMA hint) in an accessible VMA: the model
		 * handles hints per PTE */
		if (same)
			__split_huge_pmd(v, vmf->pmd, vmf->address);
		return VM_FAULT_RETRY;
	}
	if (write && (pmdval & _PAGE_UFFD_WP) && (v->vm_flags & VM_UFFD_WP)) {
		/* wp_huge_pmd: userfaultfd protected the whole PMD
		 * (PAGEMAP_SCAN); WP_ASYNC resolves per PTE after a split */
		if (!userfaultfd_wp_async(v))
			return handle_userfault(v->vm_mm, vmf->address, MMLAB_UFFD_WP);
		__split_huge_pmd(v, vmf->pmd, vmf->address);
		return VM_FAULT_RETRY;
	}
	if ((write || unshare) && !pte_write_bit(pmdval) && !pmd_has_deposit(pmdval)) {
		/* wp_huge_pmd on a shmem THP: split, and the PTE level handles
		 * the write (a CoW copy in a private mapping) */
		__split_huge_pmd(v, vmf->pmd, vmf->address);
		return VM_FAULT_RETRY;
	}
	if ((write || unshare) && !pte_write_bit(pmdval)) {
		int ret = do_huge_pmd_wp_page(v, vmf->pmd, vmf->address, pmdval, unshare);

		return (ret & VM_FAULT_FALLBACK) ? VM_FAULT_RETRY : ret;
	}
	huge_pmd_set_accessed(vmf->pmd, pmdval, write);
	return 0;
}

int handle_mm_fault(struct vm_area_struct *v, unsigned long addr, unsigned int flags)
{
	struct mm_struct *mm = v->vm_mm;
	struct vm_fault vmf = { .vma = v, .address = addr & PAGE_MASK, .flags = flags };
	pteval_t *pud, *pmd;
	int ret;

	count_vm_event(PGFAULT);
	do {
		pud = pud_alloc(mm, pgd_offset(mm, addr), addr);
		if (!pud)
			return VM_FAULT_OOM;
		pmd = pmd_alloc(mm, pud, addr);
		if (!pmd)
			return VM_FAULT_OOM;
		vmf.pmd = pmd;
		ret = handle_pmd_fault(&vmf);
		if (!(ret & VM_FAULT_FALLBACK))
			continue;
		if (pte_none(pte_read(pmd)) && __pte_alloc(mm, pmd))
			return VM_FAULT_OOM;
		ret = handle_pte_fault(&vmf);
	} while (ret == VM_FAULT_RETRY);
	return ret;
}

static bool access_error(unsigned int error_code, struct vm_area_struct *v)
{
	if (error_code & X86_PF_WRITE)
		return !(v->vm_flags & VM_WRITE);
	return !(v->vm_flags & VM_ACCESS_FLAGS);
}

/* The x86 page-fault handler for user addresses (hw_page_fault). */
int do_user_addr_fault(struct cpu *c, uint64_t addr, unsigned int error_code)
{
	struct mm_struct *mm = c->tlbstate.loaded_mm;
	struct vm_area_struct *v;
	unsigned int flags;
	int ret;

	if (!mm || addr >= TASK_SIZE)
		return MMLAB_SIGSEGV;
	flags = FAULT_FLAG_USER | ((error_code & X86_PF_WRITE) ? FAULT_FLAG_WRITE : 0);
	/* lock_vma_under_rcu: the VMA's own lock when no mmap_lock writer has
	 * claimed every VMA; VMAs that need mmap_lock (no anon_vma yet,
	 * userfaultfd) take the usual path */
	if (READ_ONCE(knobs.per_vma_lock) && down_read_trylock(&mm->vma_lock_all)) {
		v = vma_lookup(mm, addr);
		if (v && !access_error(error_code, v) &&
		    (smp_load_acquire(&v->anon_vma) || v->vm_file) &&
		    !(v->vm_flags & (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)) &&
		    down_read_trylock(&v->vm_lock)) {
			ret = handle_mm_fault(v, addr, flags);
			up_read(&v->vm_lock);
			up_read(&mm->vma_lock_all);
			count_vm_event(MMLAB_VMA_LOCK_FAULTS);
			goto done;
		}
		up_read(&mm->vma_lock_all);
	}
	down_read(&mm->mmap_lock);
	v = vma_lookup(mm, addr);
	if (!v || access_error(error_code, v)) {
		up_read(&mm->mmap_lock);
		return MMLAB_SIGSEGV;
	}
	ret = handle_mm_fault(v, addr, flags);
	up_read(&mm->mmap_lock);
done:
	if (ret & VM_FAULT_USERFAULT) {
		/* handle_userfault dropped the lock; the handler answers */
		return uffd_resolve(mm, addr, ret >> 8) ? MMLAB_SIGBUS : 0;
	}
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & VM_FAULT_SIGBUS)
		return MMLAB_SIGBUS;
	if (ret & VM_FAULT_SIGSEGV)
		return MMLAB_SIGSEGV;
	return 0;
}
