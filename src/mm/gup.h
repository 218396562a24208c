/*
 * gup.h - get_user_pages and pin_user_pages (gup.c), their flags, and the
 * reference and pin accounting of folios they take (the kernel's
 * include/linux/mm.h and mm/internal.h parts of it).
 *
 * A FOLL_GET reference is one folio reference.  A FOLL_PIN pin on a small
 * folio adds GUP_PIN_COUNTING_BIAS to its refcount; on a large folio it
 * adds one reference and one to the folio's _pincount (in the first tail
 * page).  folio_maybe_dma_pinned() reads either; a small folio with 1024
 * ordinary references is a false positive, as in the kernel.
 */
#ifndef MMLAB_GUP_H
#define MMLAB_GUP_H

#include "swap.h"

/* gup_flags: the kernel's bits */
#define FOLL_WRITE	0x01	/* the caller writes through the pages */
#define FOLL_GET	0x02	/* a plain reference (get_user_pages) */
#define FOLL_FORCE	0x08	/* ptrace: write a read-only private mapping */
#define FOLL_LONGTERM	0x100	/* a pin held for an unbounded time */
#define FOLL_PIN	0x80000	/* a DMA pin (pin_user_pages) */

#define GUP_PIN_COUNTING_BIAS	1024

/* FAULT_FLAG_UNSHARE: break CoW for a read-only pin, mapping the page
 * exclusive but leaving the PTE read-only */
#define FAULT_FLAG_UNSHARE	0x40

static inline bool is_cow_mapping(unsigned long flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

static inline bool folio_maybe_dma_pinned(struct page *folio)
{
	if (folio_test_large(folio))
		return atomic_read(&folio[1]._pincount) > 0;
	return atomic_read(&folio->_refcount) >= GUP_PIN_COUNTING_BIAS;
}

/* An anonymous folio that fork must copy for the child rather than share
 * (folio_needs_cow_for_dma): the parent's page may be pinned. */
static inline bool folio_needs_cow_for_dma(struct vm_area_struct *v, struct page *folio)
{
	if (!READ_ONCE(v->vm_mm->has_pinned))
		return false;
	return folio_maybe_dma_pinned(folio);
}

/*
 * Must a pin of @page with @flags through @v first unshare it (FOLL_PIN
 * without FOLL_WRITE on a page not known exclusive)?  @v may be NULL
 * (GUP-fast): then a longterm pin of a non-anonymous page is refused.
 */
bool gup_must_unshare(struct vm_area_struct *v, unsigned int flags, struct page *page);
/* Take / drop @refs references or pins on @folio as @flags say. */
void try_grab_folio(struct page *folio, int refs, unsigned int flags);
void gup_put_folio(struct page *folio, int refs, unsigned int flags);
void unpin_user_page(struct page *page);
void unpin_user_pages(struct page **pages, unsigned long npages);

/*
 * get_user_pages_remote / pin_user_pages_remote: @nr pages of @mm from
 * @start (page aligned), faulting in what is missing, into @pages.  The
 * caller owns a CPU; mmap_lock is taken here.  Returns the number of
 * pages taken (maybe short) or -errno when none was (-EFAULT: no VMA or
 * not accessible as asked).
 */
long __get_user_pages_locked(struct mm_struct *mm, unsigned long start,
			     unsigned long nr, unsigned int gup_flags,
			     struct page **pages);
/* get_user_pages_fast / pin_user_pages_fast: the lockless walk first, the
 * locked path for the rest (a missing page, an unshare, a write to a
 * read-only PTE). */
long get_user_pages_fast_flags(struct mm_struct *mm, unsigned long start,
			       unsigned long nr, unsigned int gup_flags,
			       struct page **pages);

/* /proc/PID/mem: bytes read or written with FOLL_FORCE, or -EIO */
long access_remote_vm(struct mm_struct *mm, unsigned long addr, void *buf,
		      unsigned long len, bool write);

#endif
