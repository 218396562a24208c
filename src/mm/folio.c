/*
 * folio.c - large folios: compound pages, their mapcounts, and the answers
 * to "is this folio mapped by more than one process?" (folio_likely_mapped_shared and its successor).
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
 * folio_likely_mapped_shared: first-page heuristic), precise (exact
 * per-mm mapping counts kept beside the mapcounts), always_true and
 * always_false (an injection test of khugepaged's shared check).
 */
#include <stdio.h>
#include <stdlib.h>
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
	atomic_set(&head[1]._pincount, 0);
	set_page_flag(head, PG_head);
}

static unsigned long folio_mm_id(struct page *f, int slot)
{
	return (f[1].private >> (8 + slot * MM_ID_BITS)) & MM_ID_MASK;
}

static void folio_set_mm_id(struct page *f, int slot, unsigned long id)
{
	unsigned int shift = 8 + slot * MM_ID_BITS;

	/* under the mapcount lock; lockless readers (the shared predicates) */
	WRITE_ONCE(f[1].private, (f[1].private & ~(MM_ID_MASK << shift)) | (id << shift));
}

/*
 * The precise answer's bookkeeping (model only): per mapped large folio,
 * the exact mappings of each mm, in a side table indexed by the head's pfn
 * / 4 (large folios are at least order 2, so naturally 4-page aligned).
 * Updated beside the mm-id slots, under the same mapcount lock; an entry
 * is freed when its folio's last mapping goes (unmap, split, exit).
 */
struct mm_maps {
	unsigned int n, cap;
	struct { unsigned int id; int count; } e[];
};

static struct mm_maps **mm_maps_table;
static unsigned long mm_maps_slots;

static struct mm_maps **mm_maps_slot(struct page *f)
{
	unsigned long i = page_to_pfn(f) >> 2;
	struct mm_maps **cur = __atomic_load_n(&mm_maps_table, __ATOMIC_ACQUIRE);

	if (!cur) {
		/* first use on this machine (two CPUs may race here:
		 * publish with a compare-and-swap) */
		unsigned long n = (phys.nr_frames >> 2) + 1;
		struct mm_maps **t = calloc(n, sizeof(*t)), **none = NULL;

		BUG_ON(!t);
		if (__atomic_compare_exchange_n(&mm_maps_table, &none, t, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&mm_maps_slots, n, __ATOMIC_RELAXED);
			cur = t;
		} else {
			free(t);
			cur = none;	/* the winner's table */
		}
	}
	return &cur[i];
}

/* mapcount lock held */
static void mm_maps_add(struct page *f, unsigned int id, int diff)
{
	struct mm_maps **slot = mm_maps_slot(f), *m = *slot;

	for (unsigned int i = 0; m && i < m->n; i++) {
		if (m->e[i].id != id)
			continue;
		m->e[i].count += diff;
		if (m->e[i].count <= 0) {
			m->e[i] = m->e[--m->n];
			if (!m->n) {
				free(m);
				*slot = NULL;
			}
		}
		return;
	}
	if (diff <= 0)
		return;
	if (!m || m->n == m->cap) {
		unsigned int cap = m ? m->cap * 2 : 4;
		struct mm_maps *g = realloc(m, sizeof(*m) + cap * sizeof(m->e[0]));

		BUG_ON(!g);
		if (!m)
			g->n = 0;
		g->cap = cap;
		*slot = m = g;
	}
	m->e[m->n].id = id;
	m->e[m->n++].count = diff;
}

/* Drop the table (machine teardown: every folio is gone). */
void folio_exit(void)
{
	if (!mm_maps_table)
		return;
	for (unsigned long i = 0; i < mm_maps_slots; i++)
		free(mm_maps_table[i]);
	free(mm_maps_table);
	mm_maps_table = NULL;
	mm_maps_slots = 0;
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
	mm_maps_add(f, (unsigned int)id, diff);
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
			__atomic_fetch_or(&f[1].private, MM_IDS_SHARED, __ATOMIC_RELAXED);
	} else if (folio_mm_id(f, 1) == 0) {
		folio_set_mm_id(f, 1, id);
		f[1]._mm_id_mapcount[1] = diff - 1;
		__atomic_fetch_or(&f[1].private, MM_IDS_SHARED, __ATOMIC_RELAXED);
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
	mm_maps_add(f, (unsigned int)id, -diff);
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
		__atomic_fetch_and(&f[1].private, ~MM_IDS_SHARED, __ATOMIC_RELAXED);
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
	/* nr_anon_transparent_hugepages: folios mapped by a PMD somewhere */
	if (atomic_inc_return(&folio[1]._entire_mapcount) == 0)
		count_vm_events(NR_ANON_THPS, 1);
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
	/* whether the folio stays whole in @v is not known here: munlock,
	 * and reclaim corrects it if it was wrong */
	munlock_vma_folio(folio, v);
}

void folio_remove_rmap_ptes(struct page *folio, struct page *page, int nr,
			    struct vm_area_struct *v)
{
	__folio_remove_rmap_ptes(folio, page, nr, v, true);
}

/* A shmem THP mapped by a PMD of @v (do_set_pmd, collapse_pte_mapped_thp):
 * nr_shmem_pmdmapped counts the THPs some PMD maps. */
void folio_add_file_rmap_pmd(struct page *folio, struct vm_area_struct *v)
{
	if (atomic_inc_return(&folio[1]._entire_mapcount) == 0)
		count_vm_events(NR_SHMEM_PMDMAPPED, 1);
	if (!folio_add_large_mapcount(folio, 1, v->vm_mm))
		anon_mapped_stat(folio, (long)folio_nr_pages(folio));
}

void folio_remove_rmap_pmd(struct page *folio, struct vm_area_struct *v)
{
	int entire = atomic_dec_return(&folio[1]._entire_mapcount);

	VM_BUG_ON(entire < -1);
	if (entire == -1)
		count_vm_events(PageAnon(folio) ? NR_ANON_THPS : NR_SHMEM_PMDMAPPED, -1);
	if (!folio_sub_large_mapcount(folio, 1, v->vm_mm))
		anon_mapped_stat(folio, -(long)folio_nr_pages(folio));
	else if (PageAnon(folio))
		/* the last PMD went while PTEs map part of it (another mm's,
		 * after fork): as 6.18, queue it if a page is left unmapped */
		deferred_split_folio(folio, true);
	munlock_vma_folio(folio, v);
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
	if (!(v->vm_flags & VM_DROPPABLE))
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

	/* a small folio mapped twice is; a large one mapped once is not */
	if (!folio_test_large(f) || mapcount <= 1)
		return mapcount > 1;
	return READ_ONCE(f[1].private) & MM_IDS_SHARED;
}

/* The older heuristic: trust the first page when nothing else decides. */
bool folio_likely_mapped_shared(struct page *f)
{
	int mapcount = folio_mapcount(f);

	if (!folio_test_large(f) || mapcount <= 1)
		return mapcount > 1;
	if (folio_entire_mapcount(f) || mapcount > (int)folio_nr_pages(f))
		return true;
	return page_mapcount(f) > 1;
}

/* mmlab_debug_shared_audit() is counting */
static int shared_audit_on;

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

/* The rmap walk: which mms really map a page of @f.  It takes the
 * anon_vma and the PTE locks, so only where the caller holds none of them
 * (the census below, a cross-check of the bookkeeping). */
static bool folio_mapped_shared_rmap(struct page *f)
{
	struct precise_arg a = { rmap_walk_held_mm(), false };

	if (folio_mapcount(f) <= 1)
		return false;
	if (!PageAnon(f))
		return folio_mapcount(f) > 1;
	rmap_walk_mapped(f, precise_one, &a);
	return a.shared;
}

/*
 * For reference: more than one mm maps a page of @f, from the exact
 * per-mm bookkeeping (mm_maps).  It was an rmap walk, which deadlocked in
 * every caller that holds the PTE lock of one of the mappings or the
 * anon_vma (khugepaged's scan and isolate, the CoW reuse check).
 */
bool folio_mapped_shared_precise(struct page *f)
{
	spinlock_t *l;
	bool shared;

	if (folio_mapcount(f) <= 1)
		return false;
	if (!folio_test_large(f) || !PageAnon(f))
		return folio_mapcount(f) > 1;
	l = folio_mapcount_lock(f);
	spin_lock(l);
	shared = *mm_maps_slot(f) && (*mm_maps_slot(f))->n > 1;
	spin_unlock(l);
	return shared;
}

static void shared_audit(struct page *f);

bool folio_maybe_mapped_shared(struct page *f)
{
	if (unlikely(READ_ONCE(shared_audit_on)) && folio_test_large(f))
		shared_audit(f);
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

/* ---- model-only: the three predicates side by side (bench mapcount) ---- */

static struct mmlab_shared_census audit;

/* Count one large folio's answers into @c, weighted by its mappings. */
/* A heuristic's wrong answer: counted, with the mappings of the folio. */
static void census_miss(uint64_t *misses, uint64_t *mappings, uint64_t maps)
{
	__atomic_fetch_add(misses, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(mappings, maps, __ATOMIC_RELAXED);
}

static void census_one(struct page *f, struct mmlab_shared_census *c)
{
	bool precise = folio_mapped_shared_precise(f);
	bool likely_ans = folio_likely_mapped_shared(f);
	bool maybe_ans = folio_maybe_mapped_shared_ids(f);
	uint64_t maps = (uint64_t)folio_mapcount(f);

	__atomic_fetch_add(&c->folios, 1, __ATOMIC_RELAXED);
	if (c != &audit && precise != folio_mapped_shared_rmap(f))
		__atomic_fetch_add(&c->precise_mismatch, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->mappings, maps, __ATOMIC_RELAXED);
	if (precise)
		__atomic_fetch_add(&c->precise_shared, 1, __ATOMIC_RELAXED);
	if (precise && !likely_ans)
		census_miss(&c->likely_fn, &c->likely_fn_mappings, maps);
	if (!precise && likely_ans)
		census_miss(&c->likely_fp, &c->likely_fp_mappings, maps);
	if (precise && !maybe_ans)
		census_miss(&c->maybe_fn, &c->maybe_fn_mappings, maps);
	if (!precise && maybe_ans)
		census_miss(&c->maybe_fp, &c->maybe_fp_mappings, maps);
}

/* A decision the mm is taking on @f (locks of the caller held: the
 * precise answer comes from the bookkeeping, not the rmap walk). */
static void shared_audit(struct page *f)
{
	census_one(f, &audit);
}

void mmlab_debug_shared_audit(bool on, struct mmlab_shared_census *out)
{
	if (on) {
		memset(&audit, 0, sizeof(audit));
		__atomic_store_n(&shared_audit_on, 1, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&shared_audit_on, 0, __ATOMIC_RELEASE);
	}
	if (out)
		*out = audit;
}

int mmlab_debug_shared_census(struct mmlab_shared_census *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned long pfn = 0; pfn < phys.nr_frames; pfn++) {
		struct page *f = pfn_to_page(pfn);

		if (!folio_test_large(f))
			continue;
		if (PageAnon(f) && folio_mapcount(f) > 0)
			census_one(f, out);
		pfn += folio_nr_pages(f) - 1;
	}
	return 0;
}
