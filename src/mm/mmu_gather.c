/*
 * mmu_gather.c - batching of unmapped pages and freed page tables: the TLB
 * is flushed once for the gathered range, then the pages are released and
 * the tables handed to RCU, never the other way round.
 *
 * A gather belongs to one caller (on its stack); the mm it works on has
 * tlb_flush_pending raised from tlb_gather_mmu() to tlb_finish_mmu(), which
 * the stale-TLB detector reads as "a flush is on its way".
 */
#include <stdlib.h>
#include "swap.h"

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm, bool fullmm)
{
	tlb->mm = mm;
	tlb->fullmm = fullmm;
	tlb->freed_tables = false;
	tlb->start = ~0UL;
	tlb->end = 0;
	tlb->nr_pages = 0;
	tlb->luf_skip = false;
	tlb->luf_gen = 0;
	tlb->ipi_why = MMLAB_IPIS_ZAP;
	tlb->cap = GATHER_LOCAL;
	tlb->pages = tlb->local;
	INIT_LIST_HEAD(&tlb->tables);
	inc_tlb_flush_pending(mm);
}

void tlb_remove_tlb_entry(struct mmu_gather *tlb, unsigned long addr)
{
	tlb->start = min(tlb->start, addr);
	tlb->end = max(tlb->end, addr + PAGE_SIZE);
}

/* Like the kernel's batches of batches: grow rather than flush early, so a
 * zap of a whole table rarely stops half-way. */
bool tlb_remove_page(struct mmu_gather *tlb, struct page *p)
{
	VM_BUG_ON(tlb->nr_pages >= tlb->cap);
	tlb->pages[tlb->nr_pages++] = p;
	if (tlb->nr_pages < tlb->cap)
		return false;
	if (tlb->cap < GATHER_MAX) {
		unsigned int cap = tlb->cap * 8;
		struct page **n = malloc(cap * sizeof(*n));

		if (n) {
			memcpy(n, tlb->pages, tlb->nr_pages * sizeof(*n));
			if (tlb->pages != tlb->local)
				free(tlb->pages);
			tlb->pages = n;
			tlb->cap = cap;
			return false;
		}
	}
	return true;
}

void tlb_remove_table(struct mmu_gather *tlb, struct page *table)
{
	tlb->freed_tables = true;
	list_add_tail(&table->lru, &tlb->tables);
}

static void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb)
{
	if (!tlb->end)
		return;
	if (tlb->fullmm)
		flush_tlb_mm_range_why(tlb->mm, 0, TLB_FLUSH_ALL, PAGE_SHIFT,
				       tlb->freed_tables, tlb->ipi_why);
	else
		flush_tlb_mm_range_why(tlb->mm, tlb->start, tlb->end, PAGE_SHIFT,
				       tlb->freed_tables, tlb->ipi_why);
	tlb->start = ~0UL;
	tlb->end = 0;
}

/*
 * free_swap_cache: a folio whose last mapping was just zapped leaves the
 * swap cache now if nothing else holds its slot (free_pages_and_swap_cache
 * in the kernel), instead of waiting for reclaim to find it.
 */
static void free_swap_cache(struct page *p)
{
	struct page *folio = compound_head(p);

	if (PageSwapCache(folio) && !folio_mapped(folio) && folio_trylock(folio)) {
		folio_free_swap(folio);
		folio_unlock(folio);
	}
}

static void tlb_flush_mmu_free(struct mmu_gather *tlb)
{
	for (unsigned int i = 0; i < tlb->nr_pages; i++) {
		free_swap_cache(tlb->pages[i]);
		put_page(tlb->pages[i]);
	}
	tlb->nr_pages = 0;
	while (!list_empty(&tlb->tables)) {
		struct page *t = list_first_entry(&tlb->tables, struct page, lru);

		list_del(&t->lru);
		pte_free_rcu(t);
	}
}

void tlb_flush_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu_tlbonly(tlb);
	tlb_flush_mmu_free(tlb);
}

void tlb_finish_mmu(struct mmu_gather *tlb)
{
	/* LUF: a lazily unmapped entry must not outlive a change of the VMA
	 * it was in (LUF's munmap problem): zaps and protection changes
	 * noted their VMAs' generations (luf_tlb_vma) */
	if (!(tlb->luf_skip && READ_ONCE(knobs.luf_unsafe_skip_munmap_flush)))
		luf_flush_gather(tlb);
	tlb_flush_mmu(tlb);
	if (tlb->pages != tlb->local)
		free(tlb->pages);
	tlb->pages = tlb->local;
	tlb->cap = GATHER_LOCAL;
	tlb->freed_tables = false;
	dec_tlb_flush_pending(tlb->mm);
}
