/*
 * userfaultfd_mfill.c - the userfaultfd ioctls that fill a missing range
 * (mfill_atomic): UFFDIO_COPY, UFFDIO_ZEROPAGE, UFFDIO_POISON and
 * UFFDIO_CONTINUE.
 *
 * Each works page by page over [dst, dst + len) of one registered VMA and
 * stops at the first page it cannot fill; it reports the bytes it filled,
 * or the error of the first page:
 *   -EINVAL  unaligned or empty range, past user space, unknown mode bits,
 *            MODE_WP on a VMA not registered for wp, CONTINUE off shmem;
 *   -ENOENT  the range is not inside one VMA registered on this userfaultfd;
 *   -EEXIST  the page is there already: a present or swap PTE (a PTE marker
 *            - uffd-wp, poison, guard - is overwritten, but POISON and the
 *            zero page refuse any non-none PTE), a huge
 *            PMD, or a shared shmem page already in the page cache;
 *   -EFAULT  shared shmem past i_size, CONTINUE with no page cache page,
 *            COPY from a source page the program cannot read.
 * The ioctl itself then returns 0 when all was filled, -EAGAIN when only
 * part was (userfaultfd_copy and its siblings).
 *
 * A private mapping (anonymous or MAP_PRIVATE shmem) gets anonymous memory
 * without touching the file: COPY a new page with the bytes, ZEROPAGE the
 * zero page (x86 has no mm_forbids_zeropage: the zero page even where read
 * faults allocate, as in a guest booted with pvm_no_zero_page); a shared shmem
 * mapping gets a new page cache page, then its PTE.  CONTINUE maps the page
 * cache page that is there (writable only in a shared mapping).  POISON
 * installs PTE_MARKER_POISONED: every access there is SIGBUS until a zap.
 * MODE_WP maps the page uffd-wp protected.
 *
 * A page cache page mapped keeps the reference shmem_get_folio took (the
 * mapping's, as in do_fault); an anonymous one the allocation's.
 *
 * Locks: mmap_lock for reading over the whole call, the PTE lock per page;
 * COPY reads its source first, as the program's own loads (the kernel's
 * copy_from_user fault-and-retry), before it takes mmap_lock; the first
 * page it could not read stops the fill there.
 */
#include <stdlib.h>
#include "swap.h"

/* The PMD of @addr, its PTE table allocated; NULL for no memory, or
 * ERR_HUGE for a huge PMD. */
#define ERR_HUGE ((pteval_t *)-1)
static pteval_t *mfill_get_pmd(struct mm_struct *mm, unsigned long addr)
{
	pteval_t *pud = pud_alloc(mm, pgd_offset(mm, addr), addr), *pmd;

	if (!pud || !(pmd = pmd_alloc(mm, pud, addr)))
		return NULL;
	if (pmd_leaf(pte_read(pmd)))
		return ERR_HUGE;
	if (pte_none(pte_read(pmd)) && __pte_alloc(mm, pmd))
		return NULL;
	return pmd_leaf(pte_read(pmd)) ? ERR_HUGE : pmd;
}

/* pte_none_mostly: none, or any PTE marker - a fill overwrites a uffd-wp,
 * poison or even a guard marker, as 6.18's does */
static bool pte_none_mostly(pteval_t pte)
{
	return pte_none(pte) ||
	       (is_swap_pte(pte) && is_pte_marker_entry(pte_to_swp_entry(pte)));
}

/*
 * mfill_atomic_install_pte: map @page at @addr where the PTE is none (or a
 * marker); -EEXIST otherwise.  @in_cache: a shmem page cache page (file
 * rmap), else a new anonymous page.  Consumes the caller's reference on an
 * anonymous page.
 */
static int mfill_install_pte(struct vm_area_struct *v, pteval_t *pmd, unsigned long addr,
			     struct page *page, bool in_cache, bool wp)
{
	struct mm_struct *mm = v->vm_mm;
	bool writable = (v->vm_flags & VM_WRITE) && !(in_cache && !(v->vm_flags & VM_SHARED));
	pteval_t entry = pte_mkdirty(pfn_pte(page_to_pfn(page), v->vm_page_prot)) | _PAGE_ACCESSED;
	spinlock_t *ptl;
	pteval_t *pte;

	if (writable)
		entry |= _PAGE_RW;
	if (wp)
		entry = (entry | _PAGE_UFFD_WP) & ~_PAGE_RW;
	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return -EAGAIN;
	if (!pte_none_mostly(pte_read(pte))) {
		pte_unmap_unlock(pte, ptl);
		return -EEXIST;
	}
	if (in_cache) {
		folio_add_file_rmap(page, v);
		add_mm_counter(mm, mm_counter(page), 1);
	} else {
		folio_add_new_anon_rmap(page, v, addr);
		add_mm_counter(mm, MM_ANONPAGES, 1);
	}
	pte_write(pte, entry);
	pte_unmap_unlock(pte, ptl);
	if (!in_cache)
		folio_add_lru_vma(page, v);
	return 0;
}

/* A PTE (none or not) for the special pages: the zero page, the poison
 * marker.  @strict: only a none PTE may be replaced. */
static int mfill_install_special(struct mm_struct *mm, pteval_t *pmd, unsigned long addr,
				 pteval_t entry, bool strict)
{
	spinlock_t *ptl;
	pteval_t *pte = pte_offset_map_lock(mm, pmd, addr, &ptl), cur;

	if (!pte)
		return -EAGAIN;
	cur = pte_read(pte);
	if (strict ? !pte_none(cur) : !pte_none_mostly(cur)) {
		pte_unmap_unlock(pte, ptl);
		return -EEXIST;
	}
	pte_write(pte, entry);
	pte_unmap_unlock(pte, ptl);
	return 0;
}

/* Shared shmem: a new page cache page holding @data (NULL: zeroes), then
 * its PTE.  The page stays in the cache even when the PTE is taken. */
static int mfill_shmem(struct vm_area_struct *v, pteval_t *pmd, unsigned long addr,
		       const uint8_t *data, bool wp)
{
	unsigned long index = linear_page_index(v, addr);
	struct page *page;
	int ret;

	if (index >= shmem_size(v->vm_file))
		return -EFAULT;
	if (!shmem_slot_empty(v->vm_file, index))
		return -EEXIST;
	ret = shmem_get_folio(v->vm_file, index, SGP_CACHE, &page);
	if (ret)
		return ret == -EINVAL ? -EFAULT : ret;
	if (data)
		memcpy(page_address(page), data, PAGE_SIZE);
	SetPageDirty(page);
	ret = mfill_install_pte(v, pmd, addr, page, true, wp);
	folio_unlock(page);
	if (ret)	/* else the reference is the mapping's, as do_fault's */
		put_page(page);
	return ret;
}

/* UFFDIO_CONTINUE: map the page cache page at @addr's index. */
static int mfill_continue(struct vm_area_struct *v, pteval_t *pmd, unsigned long addr, bool wp)
{
	struct page *page;
	int ret = shmem_get_folio(v->vm_file, linear_page_index(v, addr), SGP_READ, &page);

	if (ret)
		return ret == -EINVAL ? -EFAULT : ret;
	if (!page)
		return -EFAULT;
	ret = mfill_install_pte(v, pmd, addr, page, true, wp);
	folio_unlock(page);
	if (ret)
		put_page(page);
	return ret;
}

/* One page of @mode at @addr; @data the bytes for COPY. */
static int mfill_atomic_pte(struct vm_area_struct *v, pteval_t *pmd, unsigned long addr,
			    int mode, const uint8_t *data, bool wp)
{
	struct mm_struct *mm = v->vm_mm;
	struct page *page;
	int ret;

	if (mode == MMLAB_UFFDIO_CONTINUE)
		return mfill_continue(v, pmd, addr, wp);
	if (mode == MMLAB_UFFDIO_POISON)
		return mfill_install_special(mm, pmd, addr, make_pte_marker(PTE_MARKER_POISONED), true);
	if (v->vm_flags & VM_SHARED)
		return mfill_shmem(v, pmd, addr, mode == MMLAB_UFFDIO_COPY ? data : NULL, wp);
	if (mode == MMLAB_UFFDIO_ZEROPAGE)
		return mfill_install_special(mm, pmd, addr,
					     pfn_pte(zero_pfn, v->vm_page_prot & ~_PAGE_RW) |
					     _PAGE_SPECIAL, true);
	/* COPY: a new anonymous page with the bytes */
	if (anon_vma_prepare(v))
		return -ENOMEM;
	page = alloc_page(0);
	if (!page)
		return -ENOMEM;
	memcpy(page_address(page), data, PAGE_SIZE);
	ret = mfill_install_pte(v, pmd, addr, page, false, wp);
	if (ret)
		put_page(page);
	return ret;
}

/* validate_range: page-aligned, non-empty, inside user space */
static bool uffd_range_ok(uint64_t start, uint64_t len)
{
	return !((start | len) & ~PAGE_MASK) && len && start < TASK_SIZE &&
	       len <= TASK_SIZE - start;
}

/* The VMA holding all of [start, start+len), registered for userfaultfd. */
static struct vm_area_struct *uffd_dst_vma(struct mm_struct *mm, unsigned long start,
					   unsigned long len)
{
	struct vm_area_struct *v = vma_lookup(mm, start);

	if (!v || start + len > v->vm_end ||
	    !(v->vm_flags & (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)))
		return NULL;
	return v;
}

/* @readable: the bytes of @data the source had (COPY): the page past them
 * is -EFAULT, after the checks of the destination. */
static int64_t mfill_atomic(struct mm_struct *mm, unsigned long dst, unsigned long len,
			    int mode, const uint8_t *data, unsigned long readable, bool wp)
{
	struct vm_area_struct *v;
	int64_t done = 0;
	int ret = 0;

	down_read(&mm->mmap_lock);
	v = uffd_dst_vma(mm, dst, len);
	if (!v) {
		ret = -ENOENT;
		goto out;
	}
	ret = -EINVAL;
	if (wp && !(v->vm_flags & VM_UFFD_WP))
		goto out;
	if (mode == MMLAB_UFFDIO_CONTINUE && !vma_is_shmem(v))
		goto out;
	ret = 0;
	while (done < (int64_t)len && !ret) {
		pteval_t *pmd = mfill_get_pmd(mm, dst + done);

		if (done >= (int64_t)readable)
			ret = -EFAULT;
		else if (!pmd)
			ret = -ENOMEM;
		else if (pmd == ERR_HUGE)
			ret = -EEXIST;
		else
			ret = mfill_atomic_pte(v, pmd, dst + done, mode,
					       data ? data + done : NULL, wp);
		if (ret == -EAGAIN)	/* the PTE table went away: again */
			ret = 0;
		else if (!ret)
			done += PAGE_SIZE;
	}
out:
	up_read(&mm->mmap_lock);
	return done ? done : ret;
}

/* The default handler's answer to a missing fault (UFFDIO_ZEROPAGE of the
 * page) or a minor one (UFFDIO_CONTINUE): EEXIST, a page put there
 * meanwhile, is an answer too (the wake). */
int uffd_fill_resolve(struct mm_struct *mm, unsigned long addr, int op)
{
	int64_t ret = mfill_atomic(mm, addr & PAGE_MASK, PAGE_SIZE, op, NULL, PAGE_SIZE, false);

	return ret == -EEXIST || ret == PAGE_SIZE ? 0 : (int)ret;
}

/*
 * The ioctl: @dst, @src (COPY's source, else ignored), @len, @mode bits
 * (MMLAB_UFFDIO_MODE_*).  Returns 0 (all filled), -EAGAIN (part), or the
 * error; *filled gets the bytes filled or the error, as the ioctl's
 * copy/zeropage/updated/mapped field.
 */
int mmlab_uffd_fill(struct mmlab_proc *p, int op, uint64_t dst, uint64_t src,
		    uint64_t len, unsigned int mode, int64_t *filled)
{
	unsigned int allowed = MMLAB_UFFDIO_MODE_DONTWAKE;
	unsigned long readable = len;
	uint8_t *data = NULL;
	int64_t ret;

	if (filled)
		*filled = 0;
	if (!p || op < MMLAB_UFFDIO_COPY || op > MMLAB_UFFDIO_CONTINUE)
		return -EINVAL;
	if (op == MMLAB_UFFDIO_COPY || op == MMLAB_UFFDIO_CONTINUE)
		allowed |= MMLAB_UFFDIO_MODE_WP;
	if ((mode & ~allowed) || !uffd_range_ok(dst, len))
		return -EINVAL;
	if (op == MMLAB_UFFDIO_COPY) {
		if (!uffd_range_ok(src, len))
			return -EINVAL;
		data = malloc(len);
		if (!data)
			return -ENOMEM;
		/* copy_from_user: the source read as the program reads it, up
		 * to the first page it cannot read */
		for (readable = 0; readable < len; readable += PAGE_SIZE)
			if (mmlab_read(p->main, src + readable, data + readable, PAGE_SIZE, NULL))
				break;
	}
	if (!smp_load_acquire(&p->mm->uffd)) {
		free(data);
		return -EINVAL;
	}
	task_enter(p->main);
	ret = mfill_atomic(p->mm, dst, len, op, data, readable, mode & MMLAB_UFFDIO_MODE_WP);
	task_leave(p->main);
	free(data);
	if (filled)
		*filled = ret;
	if (ret < 0)
		return (int)ret;
	return ret == (int64_t)len ? 0 : -EAGAIN;
}
