/*
 * folio.c - large folios: compound pages, their mapcounts, and the answers
 * to "is this folio mapped by more than one process?" (seed 2).
 *
 * A large folio (order 2..9 here: 16 KiB .. 2 MiB anonymous memory) keeps
 *   - per page: _mapcount, the PTEs mapping that page (-1 based);
 *   - in the first tail: _entire_mapcount (PMD mappings), _large_mapcount
 *     (every present entry mapping any part; a PMD counts once), and two
 *     mm-id slots with their mapcounts plus a "maybe shared" bit (6.15's
 *     MM_ID scheme) in ->private beside the order.
 *
 * Locks: every change of a large folio's mapcounts happens under the
 * folio's mapcount lock (a hashed spinlock standing in for the kernel's bit
 * lock in _mm_ids); readers of a single counter use atomics.  The callers
 * hold the page-table lock of the entries they change.
 *
 * shared_check (/sys/kernel/mm/mmlab/shared_check) selects the predicate
 * the mm uses (khugepaged's max_ptes_shared, CoW reuse, MADV_COLD/PAGEOUT/
 * FREE): maybe (6.18 folio_maybe_mapped_shared), likely (the older
 * folio_likely_mapped_shared: first-page heuristic), precise (an rmap walk
 * counting mms), always_true and always_false (seed 2's injection test).
 */
#include <stdio.h>
#include "swap.h"

#define MM_ID_BITS	24
#define MM_ID_MASK	((1UL << MM_ID_BITS) - 1)
#define MM_IDS_SHARED	(1UL << 63)

static spinlock_t mapcount_locks[256];

__attribute__((constructor)) static void folio_locks_init(void)
{
	for (int i = 0; i < 256; i++)
		spin_lock_init(&mapcount_locks[i]);
}

static spinlock_t *folio_mapcount_lock(struct page *folio)
{
	return &mapcount_locks[(page_to_pfn(folio) >> 2) & 255];
}

/* Turn a fresh order-@order block into a large folio (order >= 2). */
void prep_compound_page(struct page *head, unsigned int order)
{
	unsigned long n = 1UL << order;

	VM_BUG_ON(order < 2 || order > 9);
	for (unsigned long i = 1; i < n; i++)
		__atomic_fetch_or(&head[i].flags, (1UL << PG_tail) | (i << TAIL_SHIFT),
				  __ATOMIC_RELEASE);
	head[1].private = order;
	atomic_set(&head[1]._entire_mapcount, -1);
	atomic_set(&head[1]._large_mapcount, -1);
	head[1]._mm_id_mapcount[0] = -1;
	head[1]._mm_id_mapcount[1] = -1;
	set_page_flag(head, PG_head);
}

static unsigned long folio_mm_id(struct page *f, int slot)
{
	return (f[1].private >> (8 + slot * MM_ID_BITS)) & MM_ID_MASK;
}

static void folio_set_mm_id(struct page *f, int slot, unsigned long id)
{
	unsigned int shift = 8 + slot * MM_ID_BITS;

	f[1].private = (f[1].private & ~(MM_ID_MASK << shift)) | (id << shift);
}

/*
 * Account @diff more mappings of @folio by @mm; returns the large mapcount
 * before the change (0 = the folio was unmapped).  A tracked mm adds to its
 * slot; an untracked one takes a free slot, and if others map the folio
 * already the folio is "maybe shared"; with no free slot the mapping is not
 * tracked at all (and two slots are in use: shared is set already).
 */
static int folio_add_large_mapcount(struct page *f, int diff, struct mm_struct *mm)
{
	unsigned long id = mm->mm_id;
	spinlock_t *l = folio_mapcount_lock(f);
	int old;

	spin_lock(l);
	old = atomic_read(&f[1]._large_mapcount) + 1;
	atomic_set(&f[1]._large_mapcount, old + diff - 1);
	if (folio_mm_id(f, 0) == id) {
		f[1]._mm_id_mapcount[0] += diff;
	} else if (folio_mm_id(f, 1) == id) {
		f[1]._mm_id_mapcount[1] += diff;
	} else if (folio_mm_id(f, 0) == 0) {
		folio_set_mm_id(f, 0, id);
		f[1]._mm_id_mapcount[0] = diff - 1;
		if (old)
			f[1].private |= MM_IDS_SHARED;
	} else if (folio_mm_id(f, 1) == 0) {
		folio_set_mm_id(f, 1, id);
		f[1]._mm_id_mapcount[1] = diff - 1;
		f[1].private |= MM_IDS_SHARED;
	}
	spin_unlock(l);
	return old;
}

/* The reverse; returns the large mapcount after the change. */
static int folio_sub_large_mapcount(struct page *f, int diff, struct mm_struct *mm)
{
	unsigned long id = mm->mm_id;
	spinlock_t *l = folio_mapcount_lock(f);
	int now;

	spin_lock(l);
	now = atomic_read(&f[1]._large_mapcount) + 1 - diff;
	VM_BUG_ON(now < 0);
	atomic_set(&f[1]._large_mapcount, now - 1);
	for (int s = 0; s < 2; s++) {
		if (folio_mm_id(f, s) != id)
			continue;
		f[1]._mm_id_mapcount[s] -= diff;
		if (f[1]._mm_id_mapcount[s] < 0) {
			/* mappings added while untracked may drive it below
			 * zero: the slot is free again */
			f[1]._mm_id_mapcount[s] = -1;
			folio_set_mm_id(f, s, 0);
		}
		break;
	}
	/* one slot owns every mapping (or none is left): exclusive again */
	if (f[1]._mm_id_mapcount[0] + 1 == now || f[1]._mm_id_mapcount[1] + 1 == now)
		f[1].private &= ~MM_IDS_SHARED;
	spin_unlock(l);
	return now;
}

static void anon_mapped_stat(struct page *f, long nr)
{
	count_vm_events(PageAnon(f) ? NR_ANON_MAPPED : NR_FILE_MAPPED, nr);
}

void folio_add_anon_rmap_ptes(struct page *folio, struct page *page, int nr,
			      struct vm_area_struct *v)
{
	for (int i = 0; i < nr; i++)
		atomic_inc(&page[i]._mapcount);
	if (!folio_add_large_mapcount(folio, nr, v->vm_mm))
		anon_mapped_stat(folio, (long)folio_nr_pages(folio));
}

void folio_add_anon_rmap_pmd(struct page *folio, struct vm_area_struct *v)
{
	atomic_inc(&folio[1]._entire_mapcount);
	if (!folio_add_large_mapcount(folio, 1, v->vm_mm))
		anon_mapped_stat(folio, (long)folio_nr_pages(folio));
}

void __folio_remove_rmap_ptes(struct page *folio, struct page *page, int nr,
			      struct vm_area_struct *v, bool defer)
{
	for (int i = 0; i < nr; i++)
		VM_BUG_ON(atomic_dec_return(&page[i]._mapcount) < -1);
	if (!folio_sub_large_mapcount(folio, nr, v->vm_mm))
		anon_mapped_stat(folio, -(long)folio_nr_pages(folio));
	else if (defer && PageAnon(folio))
		deferred_split_folio(folio, true);
}

void folio_remove_rmap_ptes(struct page *folio, struct page *page, int nr,
			    struct vm_area_struct *v)
{
	__folio_remove_rmap_ptes(folio, page, nr, v, true);
}

void folio_remove_rmap_pmd(struct page *folio, struct vm_area_struct *v)
{
	VM_BUG_ON(atomic_dec_return(&folio[1]._entire_mapcount) < -1);
	if (!folio_sub_large_mapcount(folio, 1, v->vm_mm))
		anon_mapped_stat(folio, -(long)folio_nr_pages(folio));
	else if (PageAnon(folio))
		/* the last PMD went while PTEs map part of it (another mm's,
		 * after fork): as 6.18, queue it if a page is left unmapped */
		deferred_split_folio(folio, true);
}

/* A new, exclusive anonymous large folio mapped at @addr (its first page)
 * by PTEs or by one PMD. */
void folio_add_new_anon_rmap_large(struct page *folio, struct vm_area_struct *v,
				   unsigned long addr, bool pmd)
{
	unsigned long n = folio_nr_pages(folio);

	anon_vma_get(v->anon_vma);
	for (unsigned long i = 0; i < n; i++) {
		folio[i].mapping = v->anon_vma;
		folio[i].index = linear_page_index(v, addr) + i;
		SetPageAnonExclusive(folio + i);
	}
	set_page_flag(folio, PG_anon);
	set_page_flag(folio, PG_swapbacked);
	mod_mthp_stat(folio_order(folio), MTHP_STAT_NR_ANON, 1);
	if (pmd)
		folio_add_anon_rmap_pmd(folio, v);
	else
		folio_add_anon_rmap_ptes(folio, folio, (int)n, v);
}

/* ---- the predicates ---- */

/* 6.15+: the mm-id slots answer; no false negatives. */
bool folio_maybe_mapped_shared_ids(struct page *f)
{
	int mapcount = folio_mapcount(f);

	if (!folio_test_large(f))
		return mapcount > 1;
	if (mapcount <= 1)
		return false;
	return READ_ONCE(f[1].private) & MM_IDS_SHARED;
}

/* The older heuristic: trust the first page when nothing else decides. */
bool folio_likely_mapped_shared(struct page *f)
{
	int mapcount = folio_mapcount(f);

	if (!folio_test_large(f))
		return mapcount > 1;
	if (mapcount <= 1)
		return false;
	if (folio_entire_mapcount(f) || mapcount > (int)folio_nr_pages(f))
		return true;
	return page_mapcount(f) > 1;
}

struct precise_arg {
	struct mm_struct *first;
	bool shared;
};

static bool precise_one(struct page *folio, struct vm_area_struct *v,
			unsigned long addr, void *arg)
{
	struct precise_arg *a = arg;

	(void)folio;
	(void)addr;
	if (!a->first)
		a->first = v->vm_mm;
	else if (a->first != v->vm_mm)
		a->shared = true;
	return !a->shared;
}

/* For reference: walk the rmap and see which mms really map a page (the
 * collapse's own mm counts as one when its entries are hidden). */
bool folio_mapped_shared_precise(struct page *f)
{
	struct precise_arg a = { rmap_walk_held_mm(), false };

	if (folio_mapcount(f) <= 1)
		return false;
	if (!PageAnon(f))
		return folio_mapcount(f) > 1;
	rmap_walk_mapped(f, precise_one, &a);
	return a.shared;
}

bool folio_maybe_mapped_shared(struct page *f)
{
	switch (READ_ONCE(knobs.shared_check)) {
	case SHARED_LIKELY:
		return folio_likely_mapped_shared(f);
	case SHARED_PRECISE:
		return folio_mapped_shared_precise(f);
	case SHARED_ALWAYS_TRUE:
		return true;
	case SHARED_ALWAYS_FALSE:
		return false;
	default:
		return folio_maybe_mapped_shared_ids(f);
	}
}

/* Does @mm hold every mapping of the large folio (its slot's count is the
 * whole large mapcount)? */
bool folio_mm_owns_all(struct page *f, struct mm_struct *mm)
{
	spinlock_t *l = folio_mapcount_lock(f);
	bool all = false;

	spin_lock(l);
	for (int s = 0; s < 2; s++)
		if (folio_mm_id(f, s) == mm->mm_id &&
		    f[1]._mm_id_mapcount[s] == atomic_read(&f[1]._large_mapcount))
			all = true;
	spin_unlock(l);
	return all;
}

void folio_debug_ids(struct page *f);
void folio_debug_ids(struct page *f)
{
	fprintf(stderr, "folio %lu: large %d entire %d ids %lu:%d %lu:%d shared %d\n",
		page_to_pfn(f), folio_large_mapcount(f), folio_entire_mapcount(f),
		folio_mm_id(f, 0), f[1]._mm_id_mapcount[0], folio_mm_id(f, 1),
		f[1]._mm_id_mapcount[1], !!(f[1].private & MM_IDS_SHARED));
}
