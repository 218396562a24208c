/*
 * gup.c - get_user_pages: references (FOLL_GET) and pins (FOLL_PIN) on the
 * pages of a user range, as the kernel's mm/gup.c takes them.
 *
 * The locked path (__get_user_pages_locked) holds mmap_lock for reading,
 * follows each address under its page-table lock and faults in through
 * handle_mm_fault what it cannot take: a missing page, a write to a
 * read-only PTE (FAULT_FLAG_WRITE; FOLL_FORCE may write a private
 * read-only mapping through a CoW copy), and a read-only pin of an
 * anonymous page not known exclusive (FAULT_FLAG_UNSHARE, so that the
 * pinned page cannot be shared with another process's CoW).
 *
 * The fast path (get_user_pages_fast_flags) walks without mmap_lock and
 * without page-table locks inside RCU (tables are freed by RCU, so a
 * concurrent page-table reclaim cannot free one under it), takes each
 * folio with an inc-not-zero and rechecks the entry, and stops at the
 * first page it may not take (not present, not writable for FOLL_WRITE,
 * must unshare, special); the locked path does the rest.  Against fork
 * (which shares exclusive pages it does not see pinned) a pin rechecks
 * exclusivity after pinning, and the pins of a walk that overlapped a
 * fork's copy (mm->write_protect_seq changed or odd) are dropped and
 * taken again on the locked path, which fork's mmap_lock excludes.
 *
 * mmlab_gup_fast is an older lockless walker without references (it only
 * reports which pages are present): it is the victim page-table reclaim
 * must not hurt.  Freed table frames are poisoned (pgtable.c), and it
 * counts every poisoned entry it meets in vmstat
 * mmlab_walks_into_freed_tables.
 */
#include "gup.h"

#define TABLE_POISON	0xdead4ead00000002ULL

static bool entry_ok(pteval_t e)
{
	if (unlikely(e == TABLE_POISON)) {
		count_vm_event(MMLAB_WALKS_INTO_FREED_TABLES);
		return false;
	}
	return true;
}

/* Present pages of [addr, addr + npages pages); pfns[i] when non-NULL
 * (0 for none). */
long mmlab_gup_fast(struct mmlab_proc *p, uint64_t addr, uint64_t npages, uint64_t *pfns)
{
	struct mm_struct *mm;
	long present = 0;

	if (!p || (addr & ~PAGE_MASK) || addr >= TASK_SIZE ||
	    npages > ((TASK_SIZE - addr) >> PAGE_SHIFT))
		return -EINVAL;
	mm = p->mm;
	for (uint64_t i = 0; i < npages; i++) {
		unsigned long a = addr + (i << PAGE_SHIFT);
		pteval_t e, *t;
		uint64_t pfn = 0;

		rcu_read_lock();
		e = pte_read(pgd_offset(mm, a));
		if (!pte_none(e) && entry_ok(e)) {
			t = table_of(pte_pfn(e));
			e = pte_read(t + pud_index(a));
			if (!pte_none(e) && entry_ok(e)) {
				t = table_of(pte_pfn(e));
				e = pte_read(t + pmd_index(a));
				if (!pte_none(e) && entry_ok(e) && !pmd_leaf(e)) {
					t = table_of(pte_pfn(e));
					e = pte_read(t + pte_index(a));
					if (entry_ok(e) && pte_hw_present(e)) {
						pfn = pte_pfn(e);
						present++;
					}
				}
			}
		}
		rcu_read_unlock();
		if (pfns)
			pfns[i] = pfn;
	}
	return present;
}

/* ---- references and pins ---- */

bool gup_must_unshare(struct vm_area_struct *v, unsigned int flags, struct page *page)
{
	if ((flags & (FOLL_WRITE | FOLL_PIN)) != FOLL_PIN)
		return false;
	if (!PageAnon(page)) {
		/* a short-term read-only pin need not see later writes */
		if (!(flags & FOLL_LONGTERM))
			return false;
		if (!v)
			return true;
		return is_cow_mapping(v->vm_flags);
	}
	return !PageAnonExclusive(page);
}

void try_grab_folio(struct page *folio, int refs, unsigned int flags)
{
	if (flags & FOLL_PIN) {
		if (folio_test_large(folio)) {
			atomic_add(&folio->_refcount, refs);
			atomic_add(&folio[1]._pincount, refs);
		} else {
			atomic_add(&folio->_refcount, refs * GUP_PIN_COUNTING_BIAS);
		}
		count_vm_events(NR_FOLL_PIN_ACQUIRED, refs);
	} else {
		atomic_add(&folio->_refcount, refs);
	}
}

void gup_put_folio(struct page *folio, int refs, unsigned int flags)
{
	if (flags & FOLL_PIN) {
		count_vm_events(NR_FOLL_PIN_RELEASED, refs);
		if (folio_test_large(folio)) {
			VM_BUG_ON(atomic_read(&folio[1]._pincount) < refs);
			atomic_sub(&folio[1]._pincount, refs);
		} else {
			refs *= GUP_PIN_COUNTING_BIAS;
		}
	}
	folio_put_refs(folio, refs);
}

void unpin_user_page(struct page *page)
{
	gup_put_folio(compound_head(page), 1, FOLL_PIN);
}

void unpin_user_pages(struct page **pages, unsigned long npages)
{
	for (unsigned long i = 0; i < npages; i++)
		unpin_user_page(pages[i]);
}

/* ---- the locked path ---- */

/* May FOLL_FORCE write through this read-only PTE without a fault
 * (can_follow_write_pte)?  Only an exclusive anonymous page of a private
 * mapping that is not writable, i.e. one the forced fault already copied. */
static bool can_follow_write(pteval_t e, struct page *page, struct vm_area_struct *v,
			     unsigned int flags)
{
	if (pte_write_bit(e))
		return true;
	if (!(flags & FOLL_FORCE) || !is_cow_mapping(v->vm_flags) ||
	    (v->vm_flags & VM_WRITE) || !page)
		return false;
	if (!PageAnon(page) || !PageAnonExclusive(page))
		return false;
	/* soft-dirty and uffd-wp tracking must see a write fault */
	if (READ_ONCE(knobs.soft_dirty) && !(e & _PAGE_SOFT_DIRTY))
		return false;
	return !(e & _PAGE_UFFD_WP);
}

/*
 * follow_page_mask: the page at @addr taken as @flags say, NULL when a
 * fault must come first (*unshare: a FAULT_FLAG_UNSHARE one).
 */
static struct page *follow_page(struct vm_area_struct *v, unsigned long addr,
				unsigned int flags, bool *unshare)
{
	struct mm_struct *mm = v->vm_mm;
	pteval_t *pmd = mm_find_pmd(mm, addr), *pte, e;
	struct page *page = NULL, *folio;
	spinlock_t *ptl;

	*unshare = false;
	if (!pmd)
		return NULL;
	e = pte_read(pmd);
	if (pmd_leaf(e)) {
		ptl = pmd_lockptr(pmd);
		spin_lock(ptl);
		e = pte_read(pmd);
		if (!pmd_leaf(e) || !pte_hw_present(e)) {
			spin_unlock(ptl);
			return NULL;
		}
		folio = pfn_to_page(pte_pfn(e));
		page = folio + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
		if ((flags & FOLL_WRITE) && !can_follow_write(e, page, v, flags)) {
			spin_unlock(ptl);
			return NULL;
		}
		if (gup_must_unshare(v, flags, page)) {
			spin_unlock(ptl);
			*unshare = true;
			return NULL;
		}
		try_grab_folio(folio, 1, flags);
		spin_unlock(ptl);
		return page;
	}
	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return NULL;
	e = pte_read(pte);
	if (!pte_present(e) || !pte_hw_present(e))
		goto out;
	page = vm_normal_page(e);
	if (!page)
		page = pfn_to_page(pte_pfn(e));	/* the zero page */
	if ((flags & FOLL_WRITE) && !can_follow_write(e, vm_normal_page(e), v, flags)) {
		page = NULL;
		goto out;
	}
	if (gup_must_unshare(v, flags, page)) {
		*unshare = true;
		page = NULL;
		goto out;
	}
	try_grab_folio(compound_head(page), 1, flags);
out:
	pte_unmap_unlock(pte, ptl);
	return page;
}

/* check_vma_flags: may @flags access @v at all? */
static bool vma_allows(struct vm_area_struct *v, unsigned int flags)
{
	if (flags & FOLL_WRITE) {
		if (v->vm_flags & VM_WRITE)
			return true;
		/* FOLL_FORCE writes a private mapping that may become writable */
		return (flags & FOLL_FORCE) && is_cow_mapping(v->vm_flags);
	}
	if (v->vm_flags & VM_READ)
		return true;
	return (flags & FOLL_FORCE) && (v->vm_flags & VM_MAYREAD);
}

/* One page: follow, fault, follow again.  mmap_lock held for reading;
 * may drop and retake it (a userfault).  NULL with *err set on failure. */
static struct page *get_one_page(struct mm_struct *mm, unsigned long addr,
				 unsigned int flags, int *err)
{
	for (int tries = 0; tries < 64; tries++) {
		struct vm_area_struct *v = vma_lookup(mm, addr);
		unsigned int fault_flags;
		struct page *page;
		bool unshare;
		int ret;

		if (!v || !vma_allows(v, flags)) {
			*err = -EFAULT;
			return NULL;
		}
		page = follow_page(v, addr, flags, &unshare);
		if (page)
			return page;
		fault_flags = unshare ? FAULT_FLAG_UNSHARE :
			      (flags & FOLL_WRITE) ? FAULT_FLAG_WRITE : 0;
		ret = handle_mm_fault(v, addr, fault_flags);
		if (ret & VM_FAULT_USERFAULT) {
			/* wait for the handler, as a user fault does */
			up_read(&mm->mmap_lock);
			ret = uffd_resolve(mm, addr, ret >> 8) ? VM_FAULT_SIGBUS : 0;
			down_read(&mm->mmap_lock);
		}
		if (ret & VM_FAULT_OOM) {
			*err = -ENOMEM;
			return NULL;
		}
		if (ret & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)) {
			*err = -EFAULT;
			return NULL;
		}
	}
	*err = -EAGAIN;	/* the page kept changing under us */
	return NULL;
}

long __get_user_pages_locked(struct mm_struct *mm, unsigned long start,
			     unsigned long nr, unsigned int gup_flags,
			     struct page **pages)
{
	unsigned long i;
	int err = 0;

	VM_BUG_ON((gup_flags & (FOLL_GET | FOLL_PIN)) == (FOLL_GET | FOLL_PIN));
	if (gup_flags & FOLL_PIN)
		WRITE_ONCE(mm->has_pinned, true);
	down_read(&mm->mmap_lock);
	for (i = 0; i < nr; i++) {
		pages[i] = get_one_page(mm, start + (i << PAGE_SHIFT), gup_flags, &err);
		if (!pages[i])
			break;
	}
	up_read(&mm->mmap_lock);
	return i ? (long)i : err;
}

/* ---- the fast path ---- */

/* The folio of @page with one more reference or pin, or NULL when it is
 * being freed (try_grab_folio_fast); @e the entry it was read from,
 * rechecked after the grab. */
static struct page *grab_fast(struct page *page, pteval_t *entry, pteval_t e,
			      unsigned int flags)
{
	struct page *folio = compound_head(page);

	if (!get_page_unless_zero(folio))
		return NULL;
	if (compound_head(page) != folio || pte_read(entry) != e) {
		put_page(folio);
		return NULL;
	}
	if (flags & FOLL_PIN) {
		try_grab_folio(folio, 1, flags);
		put_page(folio);	/* the pin holds it now */
	}
	return folio;
}

/* One page without locks, or NULL: the locked path must take it. */
static struct page *gup_fast_one(struct mm_struct *mm, unsigned long a, unsigned int flags)
{
	pteval_t e, *t, *pmd;
	struct page *page;

	e = pte_read(pgd_offset(mm, a));
	if (pte_none(e) || !entry_ok(e))
		return NULL;
	t = table_of(pte_pfn(e));
	e = pte_read(t + pud_index(a));
	if (pte_none(e) || !entry_ok(e))
		return NULL;
	t = table_of(pte_pfn(e));
	pmd = t + pmd_index(a);
	e = pte_read(pmd);
	if (pte_none(e) || !entry_ok(e))
		return NULL;
	if (pmd_leaf(e)) {
		if (!pte_hw_present(e) || is_huge_zero_pmd(e))
			return NULL;
		page = pfn_to_page(pte_pfn(e)) + ((a & ~PMD_MASK) >> PAGE_SHIFT);
	} else {
		pmd = table_of(pte_pfn(e)) + pte_index(a);
		e = pte_read(pmd);
		if (!entry_ok(e) || !pte_hw_present(e) || pte_special(e))
			return NULL;
		page = pfn_to_page(pte_pfn(e));
	}
	if ((flags & FOLL_WRITE) && !pte_write_bit(e))
		return NULL;
	/* no VMA here: a longterm pin of file memory goes the slow way */
	if (gup_must_unshare(NULL, flags, page))
		return NULL;
	if (!grab_fast(page, pmd, e, flags))
		return NULL;
	/* pinned now: a fork that shared the page meanwhile cleared its
	 * exclusivity before it looked for pins (and its write-protect of
	 * the entry is yet to come): check again */
	if (!pte_write_bit(e) && gup_must_unshare(NULL, flags, page)) {
		gup_put_folio(compound_head(page), 1, flags);
		return NULL;
	}
	return page;
}

long get_user_pages_fast_flags(struct mm_struct *mm, unsigned long start,
			       unsigned long nr, unsigned int gup_flags,
			       struct page **pages)
{
	unsigned long i, nr_fast = nr;
	long ret;

	unsigned int seq = 0;

	if (gup_flags & FOLL_PIN) {
		__atomic_store_n(&mm->has_pinned, true, __ATOMIC_SEQ_CST);
		/* fork is write-protecting this mm: the locked path waits */
		seq = __atomic_load_n(&mm->write_protect_seq, __ATOMIC_SEQ_CST);
		if (seq & 1)
			nr_fast = 0;
	}
	rcu_read_lock();
	for (i = 0; i < nr_fast; i++) {
		pages[i] = gup_fast_one(mm, start + (i << PAGE_SHIFT), gup_flags);
		if (!pages[i])
			break;
	}
	rcu_read_unlock();
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the pins before the recheck */
	if ((gup_flags & FOLL_PIN) && i &&
	    __atomic_load_n(&mm->write_protect_seq, __ATOMIC_SEQ_CST) != seq) {
		/* a fork ran meanwhile: it may have shared what we pinned */
		for (unsigned long j = 0; j < i; j++)
			gup_put_folio(compound_head(pages[j]), 1, gup_flags);
		i = 0;
	}
	if (i == nr)
		return (long)nr;
	ret = __get_user_pages_locked(mm, start + (i << PAGE_SHIFT), nr - i,
				      gup_flags, pages + i);
	if (ret < 0)
		return i ? (long)i : ret;
	return (long)i + ret;
}

/* ---- /proc/PID/mem ---- */

/*
 * access_remote_vm (the kernel's is in mm/memory.c): what /proc/PID/mem
 * and ptrace read or write, page by page through the locked GUP path with
 * FOLL_FORCE: a write into a read-only private mapping breaks CoW into a
 * copy mapped dirty but not writable.  Bytes copied, or -EIO when none.
 */
long access_remote_vm(struct mm_struct *mm, unsigned long addr, void *buf,
		      unsigned long len, bool write)
{
	unsigned int flags = FOLL_GET | FOLL_FORCE | (write ? FOLL_WRITE : 0);
	unsigned long done = 0;

	while (done < len) {
		unsigned long at = addr + done, off = at & ~PAGE_MASK;
		unsigned long n = PAGE_SIZE - off < len - done ? PAGE_SIZE - off : len - done;
		uint8_t *b = (uint8_t *)buf + done, *pa;
		struct page *page;

		if (__get_user_pages_locked(mm, at & PAGE_MASK, 1, flags, &page) != 1)
			break;
		pa = (uint8_t *)page_address(page) + off;
		for (unsigned long i = 0; i < n; i++) {
			if (write)
				__atomic_store_n(&pa[i], b[i], __ATOMIC_RELAXED);
			else
				b[i] = __atomic_load_n(&pa[i], __ATOMIC_RELAXED);
		}
		if (write)
			SetPageDirty(compound_head(page));	/* set_page_dirty_lock */
		put_page(page);
		done += n;
	}
	return done ? (long)done : -EIO;
}
