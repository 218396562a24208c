/*
 * shmem_huge.h - shmem THPs: what shmem.c (the page cache side),
 * shmem_huge.c (shmem_enabled, PMD mappings of a shmem THP), the fault
 * path, huge_memory.c and khugepaged_file.c (the file collapse) share.
 * The model's shmem THPs are PMD-sized (order 9) only.
 */
#ifndef MMLAB_SHMEM_HUGE_H
#define MMLAB_SHMEM_HUGE_H

#include "swap.h"

/* What a page-cache slot holds (shmem_slot_peek) */
enum shmem_slot { SHMEM_SLOT_HOLE, SHMEM_SLOT_FOLIO, SHMEM_SLOT_SWAP, SHMEM_SLOT_POISONED };
enum shmem_slot shmem_slot_peek(struct address_space *as, unsigned long index,
				struct page **folio);
struct page *shmem_get_huge_page(struct file *f, struct vm_area_struct *v, unsigned long index,
				 bool falloc);
/* shmem_get_folio for write(2) and fallocate(2): a THP where shmem_enabled
 * gives the file one (shmem_allowable_huge_write) */
int shmem_get_folio_write(struct file *f, unsigned long index, enum sgp_type sgp,
			  uint64_t size, struct page **out);
int shmem_collapse_commit(struct address_space *as, unsigned long start, struct page *new,
			  struct page **old);

/* shmem_hpage_pmd_enabled: may shmem THPs be made anywhere (a
 * shmem_enabled mode other than never and deny, or a PMD-size mode that
 * allows them)?  khugepaged has work then. */
bool shmem_hpage_pmd_enabled(void);
/* shmem_allowable_huge_orders for the PMD order: may a THP back @index of
 * @f, mapped by @v (NULL: the file alone) with @vm_flags?  @force:
 * MADV_COLLAPSE, which the sysfs modes do not bind (but "deny"). */
bool shmem_allowable_huge(struct file *f, struct vm_area_struct *v, unsigned long index,
			  unsigned long vm_flags, bool force);
/* The same for a write(2) or fallocate(2), no VMA: @size is the file's size
 * once the page at @index is written (the kernel's write_end). */
bool shmem_allowable_huge_write(struct file *f, unsigned long index, uint64_t size);
/* do_set_pmd: map the shmem THP of @page (locked, the caller's reference
 * becomes the mapping's) by the none PMD @pmd; VM_FAULT_FALLBACK if not. */
int do_set_pmd(struct vm_area_struct *v, pteval_t *pmd, unsigned long addr, struct page *page,
	       unsigned int flags);
/* A PMD mapping of a shmem THP has no deposited PTE table (pmd_has_deposit
 * false); splitting it only unmaps it (the PMD lock @ptl held, released). */
bool pmd_has_deposit(pteval_t v);
void __split_huge_pmd_file(struct vm_area_struct *v, pteval_t *pmd, unsigned long haddr,
			   pteval_t old, spinlock_t *ptl);

#endif
