/*
 * pgtable.h - the x86-64 4-level page-table format, as the hardware walker
 * reads it: entries are 64-bit words in simulated frames.  Formats only; no
 * policy.  Software bits follow Linux's use of the ignored bits (special,
 * uffd-wp, soft-dirty), and a not-present entry with _PAGE_PROTNONE is a
 * PROT_NONE mapping that software still counts as present.
 *
 * Every read and write of an entry is atomic (pte_read/pte_write/pte_xchg):
 * the walker of another CPU may read it at any time.
 */
#ifndef MMLAB_HW_PGTABLE_H
#define MMLAB_HW_PGTABLE_H

#include <stdint.h>
#include "phys.h"
#include "lib/sched.h"

typedef uint64_t pteval_t;

#define _PAGE_PRESENT	(1ULL << 0)
#define _PAGE_RW	(1ULL << 1)
#define _PAGE_USER	(1ULL << 2)
#define _PAGE_PWT	(1ULL << 3)
#define _PAGE_PCD	(1ULL << 4)
#define _PAGE_ACCESSED	(1ULL << 5)
#define _PAGE_DIRTY	(1ULL << 6)
#define _PAGE_PSE	(1ULL << 7)	/* PMD/PUD leaf */
#define _PAGE_GLOBAL	(1ULL << 8)
#define _PAGE_PROTNONE	_PAGE_GLOBAL	/* when !_PAGE_PRESENT */
#define _PAGE_SPECIAL	(1ULL << 9)	/* software: no struct page use */
#define _PAGE_UFFD_WP	(1ULL << 10)	/* software */
#define _PAGE_SOFT_DIRTY (1ULL << 11)	/* software */
#define _PAGE_NX	(1ULL << 63)
#define PTE_PFN_MASK	0x000ffffffffff000ULL
#define PTE_FLAGS_MASK	(~PTE_PFN_MASK)

#define PTRS_PER_PTE	512
#define PTRS_PER_PMD	512
#define PTRS_PER_PUD	512
#define PTRS_PER_PGD	512
#define PMD_SHIFT	21
#define PUD_SHIFT	30
#define PGDIR_SHIFT	39
#define PMD_SIZE	(1UL << PMD_SHIFT)
#define PMD_MASK	(~(PMD_SIZE - 1))
#define PUD_SIZE	(1UL << PUD_SHIFT)
#define PUD_MASK	(~(PUD_SIZE - 1))
#define PGDIR_SIZE	(1UL << PGDIR_SHIFT)
#define PGDIR_MASK	(~(PGDIR_SIZE - 1))
#define TASK_SIZE	((1UL << 47) - PAGE_SIZE)

static inline unsigned int pgd_index(uint64_t a) { return (a >> PGDIR_SHIFT) & 511; }
static inline unsigned int pud_index(uint64_t a) { return (a >> PUD_SHIFT) & 511; }
static inline unsigned int pmd_index(uint64_t a) { return (a >> PMD_SHIFT) & 511; }
static inline unsigned int pte_index(uint64_t a) { return (a >> PAGE_SHIFT) & 511; }

static inline pteval_t *table_of(unsigned long pfn) { return pfn_to_virt(pfn); }

/* Every page-table entry access is a scheduling point (lib/sched.h). */
static inline pteval_t pte_read(const pteval_t *p)
{
	sched_point();
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline void pte_write(pteval_t *p, pteval_t v)
{
	sched_point();
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}
static inline pteval_t pte_xchg(pteval_t *p, pteval_t v)
{
	sched_point();
	return __atomic_exchange_n(p, v, __ATOMIC_ACQ_REL);
}
static inline bool pte_cmpxchg(pteval_t *p, pteval_t old, pteval_t v)
{
	sched_point();
	return __atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_RELAXED);
}

static inline unsigned long pte_pfn(pteval_t v) { return (v & PTE_PFN_MASK) >> PAGE_SHIFT; }
static inline bool pte_none(pteval_t v) { return v == 0; }
/* Present for software: hardware-present or PROT_NONE. */
static inline bool pte_present(pteval_t v) { return v & (_PAGE_PRESENT | _PAGE_PROTNONE); }
static inline bool pte_hw_present(pteval_t v) { return v & _PAGE_PRESENT; }
static inline bool pte_write_bit(pteval_t v) { return v & _PAGE_RW; }
static inline bool pte_dirty(pteval_t v) { return v & _PAGE_DIRTY; }
static inline bool pte_young(pteval_t v) { return v & _PAGE_ACCESSED; }
static inline bool pte_special(pteval_t v) { return v & _PAGE_SPECIAL; }
static inline pteval_t pfn_pte(unsigned long pfn, pteval_t prot) { return ((pteval_t)pfn << PAGE_SHIFT) | prot; }
/* A non-leaf entry pointing to a table frame. */
static inline pteval_t table_entry(unsigned long pfn)
{
	return pfn_pte(pfn, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED);
}
static inline bool pmd_leaf(pteval_t v) { return (v & _PAGE_PSE) && pte_present(v); }

#endif
