/*
 * cow_check.c - debug/check_exclusive, a check for broken copy-on-write.
 * Before a fault lets a write reach an anonymous page without a copy
 * (do_wp_page reusing it, do_swap_page mapping it exclusive), it looks
 * through the folio's anon_vma for another mm that still maps a page of
 * the folio (a present entry, or a migration entry to it) or holds the
 * swap entry the fault consumed.  Any such mapping would see this write:
 * the model reports a BUG naming both sides.  Off by default (a walk of
 * every VMA sharing the anon_vma per reuse).
 *
 * Locks: called with the faulting PTE lock held (and the folio lock where
 * the caller has it).  The anon_vma is only trylocked, since rmap walkers
 * take it before PTE locks; a contended one is skipped (no report).  Other
 * mms' entries are read without their PTE locks, under RCU: an entry seen
 * present there holds a reference the caller's checks would have counted,
 * so a racy read errs only towards missing a report.
 */
#include <stdio.h>
#include "swap.h"

static bool entry_hits(pteval_t val, struct page *folio, unsigned long nr, swp_entry_t e)
{
	unsigned long pfn = page_to_pfn(folio);

	if (pte_none(val))
		return false;
	if (pte_present(val))
		return pte_pfn(val) >= pfn && pte_pfn(val) < pfn + nr;
	if (is_migration_entry(pte_to_swp_entry(val)))
		return swp_offset(pte_to_swp_entry(val)) >= pfn &&
		       swp_offset(pte_to_swp_entry(val)) < pfn + nr;
	return e.val && !non_swap_entry(pte_to_swp_entry(val)) &&
	       pte_to_swp_entry(val).val == e.val;
}

/* The entry @w's mm has for @a, read without its lock (0 for none). */
static pteval_t peek_entry(struct vm_area_struct *w, unsigned long a)
{
	pteval_t *pmd = mm_find_pmd(w->vm_mm, a), *pte, val;

	if (!pmd)
		return 0;
	val = pte_read(pmd);
	if (pmd_leaf(val))	/* the entry of the page @a is in */
		return val + (((a & (PMD_SIZE - 1)) >> PAGE_SHIFT) << PAGE_SHIFT);
	pte = pte_offset_map(pmd, a, NULL);
	if (!pte)
		return 0;
	val = pte_read(pte);
	pte_unmap(pte);
	return val;
}

static void cow_broken(struct page *page, struct vm_area_struct *v, unsigned long addr,
		       swp_entry_t e, struct vm_area_struct *w, unsigned long a, pteval_t val)
{
	struct page *folio = compound_head(page);

	fprintf(stderr, "BUG: copy-on-write broken: mm %p is about to write 0x%lx (%s; "
		"folio pfn %lu, %lu page(s), mapcount %d, refcount %d, page %sexclusive, "
		"%sin the swap cache) while mm %p maps 0x%lx with entry 0x%llx\n",
		(void *)v->vm_mm, addr, e.val ? "a swap-in mapped exclusive" :
		"a write fault reusing the page", page_to_pfn(folio), folio_nr_pages(folio),
		folio_mapcount(folio), page_ref_count(folio),
		PageAnonExclusive(page) ? "" : "not ", PageSwapCache(folio) ? "" : "not ",
		(void *)w->vm_mm, a, (unsigned long long)val);
	BUG();
}

void debug_check_exclusive(struct page *page, struct vm_area_struct *v, unsigned long addr,
			   swp_entry_t e)
{
	struct page *folio = compound_head(page);
	struct anon_vma *av = folio->mapping;
	unsigned long nr = folio_nr_pages(folio);
	struct anon_vma_chain *avc;

	if (!READ_ONCE(knobs.check_exclusive) || !PageAnon(folio) || !av)
		return;
	if (!down_read_trylock(&av->root->rwsem))
		return;
	rcu_read_lock();
	list_for_each_entry(avc, &av->head, same_anon_vma) {
		struct vm_area_struct *w = avc->vma;

		if (w->vm_mm == v->vm_mm)
			continue;
		for (unsigned long i = 0; i < nr; i++) {
			unsigned long a = w->vm_start +
					  ((folio->index + i - w->vm_pgoff) << PAGE_SHIFT);
			pteval_t val;

			if (folio->index + i < w->vm_pgoff || a >= w->vm_end)
				continue;
			val = peek_entry(w, a);
			if (entry_hits(val, folio, nr, e))
				cow_broken(page, v, addr, e, w, a, val);
		}
	}
	rcu_read_unlock();
	up_read(&av->root->rwsem);
}
