/*
 * memory.c - page faults, zapping, page-table teardown and fork's copy of
 * page tables: the model's mm/memory.c.
 *
 * Faults run under mmap_lock for reading; the PTE lock of the table guards
 * each PTE change, and every change rechecks the entry it read before
 * taking the lock (a racing fault may have filled it).  A PTE that loses a
 * permission or a frame is followed by a TLB flush before the frame can be
 * reused: ptep_clear_flush() for single PTEs, mmu_gather for ranges.
 *
 * Anonymous exclusivity follows the kernel's rules: a new anonymous page is
 * exclusive (PG_anon_exclusive); fork clears the mark and write-protects both
 * sides; a write fault reuses a page that is exclusive, or whose only
 * reference is this mapping (and marks it exclusive again); otherwise it
 * copies.
 */
#include "internal.h"

struct page *zero_page;
unsigned long zero_pfn;

int memory_init(void)
{
	zero_page = alloc_page(GFP_ZERO);
	if (!zero_page)
		return -ENOMEM;
	set_page_flag(zero_page, PG_reserved);
	zero_pfn = page_to_pfn(zero_page);
	return 0;
}

static inline struct page *vm_normal_page(pteval_t v)
{
	if (pte_special(v))
		return NULL;
	return pfn_to_page(pte_pfn(v));
}

static inline bool is_cow_mapping(unsigned long flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

static void page_add_rmap(struct page *p)
{
	if (atomic_inc_return(&p->_mapcount) == 0)
		count_vm_event(PageAnon(p) ? NR_ANON_MAPPED : NR_FILE_MAPPED);
}

void page_remove_rmap(struct page *p)
{
	int m = atomic_dec_return(&p->_mapcount);

	VM_BUG_ON(m < -1);
	if (m == -1)
		count_vm_events(PageAnon(p) ? NR_ANON_MAPPED : NR_FILE_MAPPED, -1);
}

static void page_add_new_anon_rmap(struct page *p, struct vm_area_struct *v,
				   unsigned long addr)
{
	p->mapping = v->anon_vma;
	p->index = linear_page_index(v, addr);
	set_page_flag(p, PG_anon);
	set_page_flag(p, PG_swapbacked);
	SetPageAnonExclusive(p);
	page_add_rmap(p);
}

/* Writable and dirty, for a VMA that allows writes. */
pteval_t pte_mkwrite_prot(pteval_t v)
{
	return v | _PAGE_RW | _PAGE_DIRTY;
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

static int do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *v = vmf->vma;
	struct mm_struct *mm = v->vm_mm;
	struct page *page = NULL;
	pteval_t entry;

	if (!(vmf->flags & FAULT_FLAG_WRITE)) {
		/* read: the shared zero page, never writable */
		entry = pfn_pte(zero_pfn, v->vm_page_prot & ~_PAGE_RW) | _PAGE_SPECIAL;
	} else {
		if (anon_vma_prepare(v))
			return VM_FAULT_OOM;
		page = alloc_page(GFP_ZERO | GFP_NODATA_OK);
		if (!page)
			return VM_FAULT_OOM;
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
	if (!pte_none(pte_read(vmf->pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		if (page)
			put_page(page);
		return 0;
	}
	if (page) {
		page_add_new_anon_rmap(page, v, vmf->address);
		add_mm_counter(mm, MM_ANONPAGES, 1);
	}
	pte_write(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/* Fault on a none PTE of a shmem-backed VMA (shared anon or memfd). */
static int do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *v = vmf->vma;
	struct mm_struct *mm = v->vm_mm;
	unsigned long pgoff = linear_page_index(v, vmf->address);
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	struct page *page, *map;
	pteval_t entry;
	int ret;

	if (pgoff >= shmem_size(v->vm_file))
		return VM_FAULT_SIGBUS;
	ret = shmem_get_page(v->vm_file, pgoff, &page);
	if (ret)
		return ret == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	map = page;
	if (write && !(v->vm_flags & VM_SHARED)) {
		/* do_cow_fault: a private copy of the file page */
		if (anon_vma_prepare(v)) {
			put_page(page);
			return VM_FAULT_OOM;
		}
		map = alloc_page(0);
		if (!map) {
			put_page(page);
			return VM_FAULT_OOM;
		}
		frame_copy(page_to_pfn(map), page_to_pfn(page));
		put_page(page);
		entry = pte_mkwrite_prot(pfn_pte(page_to_pfn(map), v->vm_page_prot));
	} else {
		entry = pfn_pte(page_to_pfn(page), v->vm_page_prot);
		if (write)
			entry |= _PAGE_DIRTY;
	}
	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte || !pte_none(pte_read(vmf->pte))) {
		if (vmf->pte)
			pte_unmap_unlock(vmf->pte, vmf->ptl);
		put_page(map);
		return vmf->pte ? 0 : VM_FAULT_RETRY;
	}
	if (map != page) {
		page_add_new_anon_rmap(map, v, vmf->address);
		add_mm_counter(mm, MM_ANONPAGES, 1);
	} else {
		if (write)
			SetPageDirty(page);
		page_add_rmap(page);
		add_mm_counter(mm, mm_counter(page), 1);
	}
	pte_write(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/* Copy-on-write: a new exclusive anonymous page replaces the mapped one.
 * Called with the PTE lock held; returns with it released. */
static int wp_page_copy(struct vm_fault *vmf, struct page *old)
{
	struct vm_area_struct *v = vmf->vma;
	struct mm_struct *mm = v->vm_mm;
	struct page *new;
	pteval_t entry;

	if (anon_vma_prepare(v)) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return VM_FAULT_OOM;
	}
	new = alloc_page(old ? 0 : GFP_ZERO | GFP_NODATA_OK);
	if (!new) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return VM_FAULT_OOM;
	}
	if (old)
		frame_copy(page_to_pfn(new), page_to_pfn(old));
	entry = pte_mkwrite_prot(pfn_pte(page_to_pfn(new), v->vm_page_prot));
	ptep_clear_flush(v, vmf->address, vmf->pte);
	page_add_new_anon_rmap(new, v, vmf->address);
	add_mm_counter(mm, MM_ANONPAGES, 1);
	if (old) {
		add_mm_counter(mm, mm_counter(old), -1);
		page_remove_rmap(old);
	}
	pte_write(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (old)
		put_page(old);
	count_vm_event(MMLAB_COW_COPIES);
	return 0;
}

/* Can this write fault keep the anonymous page (wp_can_reuse_anon_folio)? */
static bool wp_can_reuse_anon_page(struct page *p)
{
	if (PageAnonExclusive(p))
		return true;
	/* the only reference is ours: nobody else can see the page */
	if (page_ref_count(p) != 1)
		return false;
	SetPageAnonExclusive(p);
	return true;
}

/* A write to a present, write-protected PTE; PTE lock held. */
static int do_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *v = vmf->vma;
	pteval_t pte = vmf->orig_pte;
	struct page *page = vm_normal_page(pte);

	if ((v->vm_flags & VM_SHARED) ||
	    (page && PageAnon(page) && wp_can_reuse_anon_page(page))) {
		/* wp_page_reuse: upgrading needs no flush */
		pte_write(vmf->pte, pte_mkwrite_prot(pte) | _PAGE_ACCESSED);
		if (page && !PageAnon(page))
			SetPageDirty(page);
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		count_vm_event(MMLAB_COW_REUSES);
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

static int handle_pte_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *v = vmf->vma;
	pteval_t *pte = pte_offset_map(vmf->pmd, vmf->address, NULL);
	pteval_t entry;

	if (!pte)
		return VM_FAULT_RETRY;
	entry = pte_read(pte);
	pte_unmap(pte);
	if (pte_none(entry))
		return vma_is_anonymous(v) ? do_anonymous_page(vmf) : do_fault(vmf);
	if (!pte_present(entry))
		return VM_FAULT_SIGBUS;	/* swap entries and markers: later layers */

	vmf->pte = pte_offset_map_lock(v->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte)
		return VM_FAULT_RETRY;
	vmf->orig_pte = pte_read(vmf->pte);
	if (vmf->orig_pte != entry) {
		/* changed under us (A/D bits set by a walker, or a racing fault) */
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return 0;
	}
	if (vmf->flags & FAULT_FLAG_WRITE) {
		if (!pte_write_bit(entry))
			return do_wp_page(vmf);
		pte_write(vmf->pte, entry | _PAGE_DIRTY | _PAGE_ACCESSED);
	} else if (!pte_young(entry)) {
		pte_write(vmf->pte, entry | _PAGE_ACCESSED);
	}
	/* otherwise a spurious fault: the TLB refills on retry */
	pte_unmap_unlock(vmf->pte, vmf->ptl);
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
		if (pte_none(pte_read(pmd)) && __pte_alloc(mm, pmd))
			return VM_FAULT_OOM;
		vmf.pmd = pmd;
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
	int ret;

	if (!mm || addr >= TASK_SIZE)
		return MMLAB_SIGSEGV;
	down_read(&mm->mmap_lock);
	v = vma_lookup(mm, addr);
	if (!v || access_error(error_code, v)) {
		up_read(&mm->mmap_lock);
		return MMLAB_SIGSEGV;
	}
	ret = handle_mm_fault(v, addr, FAULT_FLAG_USER |
			      ((error_code & X86_PF_WRITE) ? FAULT_FLAG_WRITE : 0));
	up_read(&mm->mmap_lock);
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & VM_FAULT_SIGBUS)
		return MMLAB_SIGBUS;
	if (ret & VM_FAULT_SIGSEGV)
		return MMLAB_SIGSEGV;
	return 0;
}

/* ---- zap ---- */

/* Zap PTEs of one table in [addr, end); returns where it stopped (end, or
 * earlier when the gather filled up and must be flushed first). */
static unsigned long zap_pte_range(struct mmu_gather *tlb,
				   struct vm_area_struct *v, pteval_t *pmd,
				   unsigned long addr, unsigned long end)
{
	struct mm_struct *mm = v->vm_mm;
	spinlock_t *ptl;
	pteval_t *start_pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	pteval_t *pte = start_pte;
	long rss[NR_MM_COUNTERS] = { 0 };
	bool force_flush = false;

	if (!pte)
		return end;
	for (; addr < end; addr += PAGE_SIZE, pte++) {
		pteval_t old = pte_read(pte);
		struct page *page;

		if (pte_none(old))
			continue;
		if (!pte_present(old)) {
			/* non-present entries of later layers: drop them */
			pte_write(pte, 0);
			continue;
		}
		old = pte_xchg(pte, 0);
		tlb_remove_tlb_entry(tlb, addr);
		page = vm_normal_page(old);
		if (!page)
			continue;
		if (!PageAnon(page) && pte_dirty(old))
			SetPageDirty(page);
		rss[mm_counter(page)]--;
		page_remove_rmap(page);
		tlb_remove_page(tlb, page);
		if (tlb->nr_pages == GATHER_BATCH) {
			force_flush = true;
			addr += PAGE_SIZE;
			break;
		}
	}
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i])
			add_mm_counter(mm, i, rss[i]);
	pte_unmap_unlock(start_pte, ptl);
	if (force_flush)
		tlb_flush_mmu(tlb);
	return addr;
}

void unmap_page_range(struct mmu_gather *tlb, struct vm_area_struct *v,
		      unsigned long addr, unsigned long end,
		      struct zap_details *d)
{
	struct mm_struct *mm = v->vm_mm;

	(void)d;
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
		addr = zap_pte_range(tlb, v, pmd, addr, next);
		cpu_poll();
	}
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

/* ---- fork ---- */

static int copy_pte_range(struct vm_area_struct *dst, struct vm_area_struct *src,
			  pteval_t *dst_pmd, pteval_t *src_pmd,
			  unsigned long addr, unsigned long end)
{
	struct mm_struct *dmm = dst->vm_mm, *smm = src->vm_mm;
	spinlock_t *sptl, *dptl;
	pteval_t *spte, *dpte, *spte0, *dpte0;
	long rss[NR_MM_COUNTERS] = { 0 };
	bool cow = is_cow_mapping(src->vm_flags);

	if (pte_none(pte_read(dst_pmd)) && __pte_alloc(dmm, dst_pmd))
		return -ENOMEM;
	dpte0 = dpte = pte_offset_map_lock(dmm, dst_pmd, addr, &dptl);
	spte0 = spte = pte_offset_map_lock(smm, src_pmd, addr, &sptl);
	if (!spte) {
		pte_unmap_unlock(dpte0, dptl);
		return 0;
	}
	for (; addr < end; addr += PAGE_SIZE, spte++, dpte++) {
		pteval_t v = pte_read(spte);
		struct page *page;

		if (pte_none(v) || !pte_present(v))
			continue;
		page = vm_normal_page(v);
		if (page) {
			get_page(page);
			if (PageAnon(page))
				ClearPageAnonExclusive(page);
			page_add_rmap(page);
			rss[mm_counter(page)]++;
		}
		if (cow && pte_write_bit(v)) {
			__atomic_fetch_and(spte, ~_PAGE_RW, __ATOMIC_ACQ_REL);
			v &= ~_PAGE_RW;
		}
		if (src->vm_flags & VM_SHARED)
			v &= ~_PAGE_DIRTY;
		v &= ~_PAGE_ACCESSED;	/* the child's PTEs start old */
		pte_write(dpte, v);
	}
	pte_unmap_unlock(spte0, sptl);
	pte_unmap_unlock(dpte0, dptl);
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i])
			add_mm_counter(dmm, i, rss[i]);
	return 0;
}

/*
 * Copy the page tables of @src into @dst for fork.  As the kernel does, a VMA
 * without an anon_vma (never written, or shared) is not copied: the child
 * faults those pages in itself.
 */
int copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct mm_struct *smm = src->vm_mm, *dmm = dst->vm_mm;
	unsigned long addr = src->vm_start, end = src->vm_end;

	if (!src->anon_vma)
		return 0;
	while (addr < end) {
		pteval_t *spgd = pgd_offset(smm, addr), *spud, *spmd, *dpud, *dpmd;
		unsigned long next = (addr + PMD_SIZE) & PMD_MASK;

		if (!next || next > end)
			next = end;
		if (pte_none(pte_read(spgd))) {
			addr = next;
			continue;
		}
		spud = pud_offset(spgd, addr);
		if (pte_none(pte_read(spud))) {
			addr = next;
			continue;
		}
		spmd = pmd_offset(spud, addr);
		if (pte_none(pte_read(spmd))) {
			addr = next;
			continue;
		}
		dpud = pud_alloc(dmm, pgd_offset(dmm, addr), addr);
		dpmd = dpud ? pmd_alloc(dmm, dpud, addr) : NULL;
		if (!dpmd || copy_pte_range(dst, src, dpmd, spmd, addr, next))
			return -ENOMEM;
		addr = next;
	}
	return 0;
}
