/*
 * migrate.c - moving a folio to another node: unmap it with migration
 * entries (a fault on one waits until the move is done), copy it, move its
 * cache slot (page cache or swap cache), and turn the migration entries into
 * PTEs of the new folio (remove_migration_ptes).  Used by demotion (reclaim
 * on a fast node moves cold folios to the slower tier), by NUMA-hinting
 * promotion (one folio per fault), and by move_pages (a list, in batches
 * under one TLB flush each, as migrate_pages_batch).  A THP mapped by one
 * PMD moves whole (migrate_huge.c), for move_pages, mbind and demotion;
 * the other large folios reach here split (NUMA-hinting promotion moves
 * small folios only).
 *
 * The source folio is locked and isolated from the LRU (a reference held)
 * for the whole move; a folio with references nobody accounts for (a fault
 * waiting on it, another CPU's LRU batch) is not moved (-EAGAIN), as
 * folio_migrate_mapping refuses it.
 */
#include "swap.h"

bool numa_demotion_enabled(void)
{
	return READ_ONCE(knobs.demotion_enabled) != 0;
}

/* The slower tier below @nid: the first slow node, when @nid is fast. */
int next_demotion_node(int nid)
{
	if (phys.node[nid].slow)
		return -1;
	for (unsigned int n = 0; n < phys.nr_nodes; n++)
		if (phys.node[n].slow)
			return (int)n;
	return -1;
}

/* Move the slot that points at @src (page cache or swap cache) to @dst; the
 * reference the slot holds moves too.  False if @src has other users. */
static bool folio_migrate_mapping(struct page *dst, struct page *src)
{
	int expected = 1 + (PageSwapCache(src) || (!PageAnon(src) && src->mapping));

	if (page_ref_count(src) != expected)
		return false;
	if (PageSwapCache(src)) {
		swp_entry_t e = page_swap_entry(src);
		struct swap_info_struct *si = swp_swap_info(e);

		spin_lock(&si->lock);
		if (si->cache[swp_offset(e)] != src || page_ref_count(src) != expected) {
			spin_unlock(&si->lock);
			return false;
		}
		get_page(dst);
		dst->private = src->private;
		set_page_flag(dst, PG_swapcache);
		__atomic_store_n(&si->cache[swp_offset(e)], dst, __ATOMIC_RELEASE);
		clear_page_flag(src, PG_swapcache);
		src->private = 0;
		spin_unlock(&si->lock);
		put_page(src);
	} else if (!PageAnon(src) && src->mapping) {
		struct address_space *as = src->mapping;

		spin_lock(&as->lock);
		if (xa_load(&as->i_pages, src->index) != src || page_ref_count(src) != expected) {
			spin_unlock(&as->lock);
			return false;
		}
		get_page(dst);
		xa_store(&as->i_pages, src->index, dst);	/* a slot in use: cannot fail */
		luf_trace(LUF_EV_PAGE, page_to_pfn(src), page_to_pfn(dst), 0, 0,
			  "cache slot moves to", NULL);
		spin_unlock(&as->lock);
		put_page(src);
	}
	return true;
}

/*
 * migrate_folio_unmap: the first half of the move of a locked, isolated
 * folio to node @nid.  The new folio is allocated and locked (nobody may
 * use it before its data is there: a page cache lookup waits on its lock),
 * and the old folio's PTEs become migration entries with their flush
 * batched (TTU_BATCH_FLUSH, as MIGRATE_ASYNC does): the caller flushes once
 * for a whole batch (try_to_unmap_flush) before any folio is moved.
 * Returns the new folio, or NULL (no free frame on @nid).
 */
static struct page *migrate_folio_unmap(struct page *src, int nid)
{
	struct page *dst = alloc_pages_node(nid, 0, GFP_NORECLAIM | GFP_THISNODE);

	if (!dst)
		return NULL;
	if (!folio_trylock(dst))
		VM_BUG_ON(1);	/* just allocated: ours alone */
	if (folio_mapped(src))
		try_to_unmap(src, TTU_MIGRATION | TTU_BATCH_FLUSH);
	return dst;
}

/*
 * migrate_folio_move: the second half, after the flush.  The cache slot,
 * the flags and the data go to @dst and the migration entries become PTEs
 * of @dst; or, when @src gained a mapping or a user meanwhile, everything
 * is put back (-EAGAIN).  @dst is unlocked and loses the reference the
 * allocation gave it either way.
 */
static int migrate_folio_move(struct page *src, struct page *dst)
{
	static const int copy_flags[] = { PG_anon, PG_swapbacked, PG_dirty, PG_referenced,
					  PG_active, PG_uptodate, PG_workingset };

	dst->mapping = src->mapping;
	dst->index = src->index;
	if (folio_mapped(src) || !folio_migrate_mapping(dst, src)) {
		/* put everything back as it was */
		dst->mapping = NULL;
		folio_unlock(dst);
		remove_migration_ptes(src, src);
		put_page(dst);
		return -EAGAIN;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(copy_flags); i++)
		if (test_page_flag(src, copy_flags[i]))
			set_page_flag(dst, copy_flags[i]);
	if (PageAnon(src))
		anon_vma_get(src->mapping);	/* dst's own; src keeps its until freed */
	copy_highpage(dst, src);
	luf_copy_page(dst, src);	/* before dst can be mapped writable */
	remove_migration_ptes(src, dst);
	folio_unlock(dst);
	folio_add_lru(dst);
	put_page(dst);		/* the mappings and caches hold it now */
	count_vm_event(PGMIGRATE_SUCCESS);
	return 0;
}

/* Move a locked, isolated folio to node @nid: a batch of one. */
static int migrate_one(struct page *src, int nid)
{
	struct page *dst = migrate_folio_unmap(src, nid);

	if (!dst)
		return -ENOMEM;
	try_to_unmap_flush();
	return migrate_folio_move(src, dst);
}

/* Folios unmapped under one flush: upstream's NR_MAX_BATCHED_MIGRATION
 * (HPAGE_PMD_NR); reclaim hands over at most SWAP_CLUSTER_MAX anyway. */
#define NR_MAX_BATCHED_MIGRATION	512
#define NR_MAX_MIGRATE_PAGES_RETRY	10

/*
 * A large folio of a batch (isolated, unlocked): moved whole when it is a
 * THP mapped by one PMD (migrate_huge.c); when the target has no free
 * 2 MiB, split: its pages follow it on the list, isolated, and @folio is
 * small now (thp_migration_fail and thp_migration_split, as the kernel's
 * try_split_folio).  MIGRATE_MOVED, MIGRATE_SPLIT, or MIGRATE_KEPT (busy,
 * mapped otherwise: it stays on the list for a retry).
 */
enum { MIGRATE_MOVED, MIGRATE_SPLIT, MIGRATE_KEPT };

static int migrate_large_folio(struct page *folio, int nid)
{
	LIST_HEAD_ON_STACK(pieces);
	int ret;

	if (!folio_trylock(folio))
		return MIGRATE_KEPT;
	ret = migrate_huge_pmd_folio(folio, nid);
	if (ret == -ENOMEM) {
		count_vm_event(THP_MIGRATION_FAIL);
		ret = split_folio_to_list(folio, &pieces);
		if (!ret) {
			count_vm_event(THP_MIGRATION_SPLIT);
			list_splice_init(&pieces, &folio->lru);
		}
		folio_unlock(folio);
		return ret ? MIGRATE_KEPT : MIGRATE_SPLIT;
	}
	folio_unlock(folio);
	return ret ? MIGRATE_KEPT : MIGRATE_MOVED;
}

/*
 * migrate_pages_batch: move isolated, unlocked folios of @from to node
 * @nid, NR_MAX_BATCHED_MIGRATION at a time: lock and unmap a batch (each
 * flush deferred, TTU_BATCH_FLUSH), one TLB flush for all of it
 * (try_to_unmap_flush), then move each folio.  A large folio is moved on
 * its own first (migrate_large_folio).  The folios moved leave @from
 * (their isolation reference dropped); the others stay on it, unlocked.
 * Returns the number moved; *@pages (when given) grows by their pages.
 */
static unsigned int migrate_pages_batch(struct list_head *from, int nid, unsigned long *pages)
{
	struct { struct page *src, *dst; } batch[NR_MAX_BATCHED_MIGRATION];
	struct page *f, *tmp;
	unsigned int n = 0, nr = 0;
	unsigned long np = 0;

	for (f = list_first_entry(from, struct page, lru); &f->lru != from; f = tmp) {
		int large = folio_test_large(f) ? migrate_large_folio(f, nid) : MIGRATE_SPLIT;

		tmp = list_entry(f->lru.next, struct page, lru);
		if (large == MIGRATE_MOVED) {
			list_del(&f->lru);
			put_page(f);	/* the isolation reference: the last */
			n++;
			np += HPAGE_PMD_NR;
		} else if (large == MIGRATE_SPLIT && nr < NR_MAX_BATCHED_MIGRATION &&
			   folio_trylock(f)) {
			batch[nr].dst = migrate_folio_unmap(f, nid);
			if (batch[nr].dst)
				batch[nr++].src = f;
			else
				folio_unlock(f);
		}
		/* the batch is full, or this was the last folio: flush, move */
		if (nr && (nr == NR_MAX_BATCHED_MIGRATION || &tmp->lru == from)) {
			try_to_unmap_flush();
			for (unsigned int i = 0; i < nr; i++) {
				struct page *src = batch[i].src;
				bool moved = migrate_folio_move(src, batch[i].dst) == 0;

				folio_unlock(src);
				if (moved) {
					list_del(&src->lru);
					put_page(src);
					n++;
					np++;
				}
			}
			nr = 0;
		}
	}
	if (pages)
		*pages += np;
	return n;
}

/*
 * Demote isolated, unlocked folios of @nid to the slower tier in batches
 * (MIGRATE_ASYNC: one pass).  The ones moved leave the list; the others
 * stay on it (counted as failed) for reclaim to deal with.  Returns the
 * pages moved (a THP moved whole: 512).
 */
unsigned int demote_folio_list(struct list_head *folios, int nid)
{
	int target = next_demotion_node(nid);
	unsigned long left = 0, pages = 0;
	struct page *f;

	if (target < 0)
		return 0;
	migrate_pages_batch(folios, target, &pages);
	list_for_each_entry(f, folios, lru) {
		left += folio_nr_pages(f);
		if (folio_order(f) == HPAGE_PMD_ORDER)
			count_vm_event(THP_MIGRATION_FAIL);
	}
	count_vm_events(PGMIGRATE_FAIL, (long)left);
	return (unsigned int)pages;
}

/*
 * migrate_pages (MIGRATE_SYNC, as move_pages(2) asks): the isolated folios
 * of @from go to node @nid in batches; those a transient reference kept
 * back are retried one at a time, a few passes, as migrate_pages_sync
 * does.  What still failed goes back to the LRU (a THP counted in
 * thp_migration_fail, its pages in pgmigrate_fail).  @from ends empty;
 * returns the number of pages moved (a THP moved whole counts 512).
 */
unsigned long migrate_pages(struct list_head *from, int nid)
{
	unsigned long moved = 0;
	unsigned int spins = 0;

	migrate_pages_batch(from, nid, &moved);
	for (int pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && !list_empty(from); pass++) {
		LIST_HEAD_ON_STACK(retry);

		lib_wait(&spins);
		list_splice_init(from, &retry);
		while (!list_empty(&retry)) {
			LIST_HEAD_ON_STACK(one);
			struct page *f = list_first_entry(&retry, struct page, lru);

			list_del(&f->lru);
			list_add(&f->lru, &one);
			migrate_pages_batch(&one, nid, &moved);
			/* what is left: it, or the pages it was split into */
			list_splice_init(&one, from);
		}
	}
	while (!list_empty(from)) {
		struct page *f = list_first_entry(from, struct page, lru);

		list_del(&f->lru);
		if (folio_test_large(f) && folio_order(f) == HPAGE_PMD_ORDER)
			count_vm_event(THP_MIGRATION_FAIL);
		count_vm_events(PGMIGRATE_FAIL, (long)folio_nr_pages(f));
		folio_putback_lru(f);
	}
	return moved;
}

/* Move an isolated folio (its isolation reference is consumed); transient
 * failures (a fault holding the folio for a moment) are retried, as
 * migrate_pages does.  NUMA-hinting promotion: one folio per fault. */
int migrate_isolated_folio(struct page *folio, int nid)
{
	unsigned int spins = 0;
	int ret = -EAGAIN;

	for (int pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && ret == -EAGAIN; pass++) {
		if (!folio_trylock(folio)) {
			lib_wait(&spins);
			continue;
		}
		ret = migrate_one(folio, nid);
		folio_unlock(folio);
		if (ret == -EAGAIN)
			lib_wait(&spins);
	}
	if (ret) {
		count_vm_event(PGMIGRATE_FAIL);
		folio_putback_lru(folio);
	} else {
		put_page(folio);	/* the isolation reference: the last */
	}
	return ret;
}

/* A fault found a migration entry: wait for the folio to be unlocked. */
void migration_entry_wait(struct mm_struct *mm, pteval_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pteval_t *pte = pte_offset_map_lock(mm, pmd, addr, &ptl), v;
	struct page *folio;
	unsigned int spins = 0;

	if (!pte)
		return;
	v = pte_read(pte);
	if (!is_swap_pte(v) || !is_migration_entry(pte_to_swp_entry(v))) {
		pte_unmap_unlock(pte, ptl);
		return;
	}
	/* wait without a reference (a reference would make the move fail):
	 * the folio is locked for the whole move; once it is unlocked it may
	 * be freed, which only ends the wait */
	folio = pfn_to_page(swp_offset(pte_to_swp_entry(v)));
	pte_unmap_unlock(pte, ptl);
	while (folio_test_locked(folio))
		lib_wait(&spins);
}
