/*
 * swap.c - the LRU lists: per node one lruvec with inactive and active lists
 * for anonymous (swap-backed, shmem included) and file (here: lazily freed)
 * folios.  New folios reach the LRU through a per-CPU batch (lru_add) of 31,
 * as the kernel's folio batches do: while a folio waits in another CPU's
 * batch it is not on any list, so reclaim and MADV_PAGEOUT skip it.
 * MADV_FREE's moves to the lazyfree list go through a second per-CPU batch
 * (lru_lazyfree); its folios stay on their lists until it drains.
 *
 * Locks: lruvec->lru_lock guards the lists, the counts and PG_lru/PG_active
 * of folios on them.  A per-CPU batch belongs to the CPU's owner thread.  A
 * folio in a batch or isolated from a list holds a reference for that.
 */
#include <stdlib.h>
#include "swap.h"

#define LRU_BATCH	31

struct lru_batch {
	spinlock_t lock;	/* its CPU adds; lru_add_drain_all drains */
	unsigned int nr;
	struct page *folios[LRU_BATCH];
	void (*move)(struct page *folio);	/* what draining does to each */
};

struct pglist_data node_data[MAX_NUMNODES];
/* per CPU: lru_add (new folios) and lru_lazyfree (MADV_FREE), in pairs */
static struct lru_batch *lru_batches;
static void lru_add(struct page *folio);
static void lru_lazyfree(struct page *folio);
static void lru_batch_add(struct lru_batch *b, struct page *folio, bool now);

static const enum vm_event_item lru_stat[NR_LRU_LISTS] = {
	NR_INACTIVE_ANON, NR_ACTIVE_ANON, NR_INACTIVE_FILE, NR_ACTIVE_FILE, NR_UNEVICTABLE,
};

void lru_init(void)
{
	free(lru_batches);
	lru_batches = calloc(2 * nr_cpu_ids, sizeof(*lru_batches));
	BUG_ON(!lru_batches);
	for (unsigned int i = 0; i < 2 * nr_cpu_ids; i++) {
		spin_lock_init(&lru_batches[i].lock);
		lru_batches[i].move = i & 1 ? lru_lazyfree : lru_add;
	}
	for (unsigned int n = 0; n < MAX_NUMNODES; n++) {
		struct lruvec *l = &node_data[n].lruvec;

		memset(&node_data[n], 0, sizeof(node_data[n]));
		node_data[n].node_id = n;
		spin_lock_init(&l->lru_lock);
		for (int i = 0; i < NR_LRU_LISTS; i++)
			INIT_LIST_HEAD(&l->lists[i]);
	}
}

enum lru_list folio_lru_list(struct page *folio)
{
	enum lru_list lru;

	if (test_page_flag(folio, PG_unevictable))
		return LRU_UNEVICTABLE;
	lru = test_page_flag(folio, PG_swapbacked) ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE;
	if (test_page_flag(folio, PG_active))
		lru += 1;
	return lru;
}

static void lru_account(struct lruvec *l, enum lru_list lru, long n)
{
	atomic_add(&l->nr[lru], n);	/* read without the lock by reclaim */
	count_vm_events(lru_stat[lru], n);
}

/* The unevictable "list" is counted only: its folios keep mlock_count in
 * their lru field, as the kernel's do, and reclaim never scans them. */
void lruvec_add_folio(struct lruvec *l, struct page *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	if (lru != LRU_UNEVICTABLE)
		list_add(&folio->lru, &l->lists[lru]);
	lru_account(l, lru, (long)folio_nr_pages(folio));
}

void lruvec_add_folio_tail(struct lruvec *l, struct page *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	if (lru != LRU_UNEVICTABLE)
		list_add_tail(&folio->lru, &l->lists[lru]);
	lru_account(l, lru, (long)folio_nr_pages(folio));
}

void lruvec_del_folio(struct lruvec *l, struct page *folio)
{
	enum lru_list lru = folio_lru_list(folio);

	if (lru != LRU_UNEVICTABLE)
		list_del(&folio->lru);
	lru_account(l, lru, -(long)folio_nr_pages(folio));
}

/*
 * A folio joins the LRU (lru_add): an mlocked one goes to the unevictable
 * list with mlock_count 0 (culled; whoever mlocked it while it was off the
 * LRU did not count), one no longer mlocked leaves it (rescued).  Under
 * the lru lock.
 */
static void lru_add_locked(struct lruvec *l, struct page *folio)
{
	long nr = (long)folio_nr_pages(folio);

	if (folio_evictable(folio)) {
		if (test_page_flag(folio, PG_unevictable)) {
			clear_page_flag(folio, PG_unevictable);
			count_vm_events(UNEVICTABLE_PGRESCUED, nr);
		}
		set_page_flag(folio, PG_lru);
		lruvec_add_folio(l, folio);
		return;
	}
	clear_page_flag(folio, PG_active);
	if (!test_page_flag(folio, PG_unevictable)) {
		set_page_flag(folio, PG_unevictable);
		count_vm_events(UNEVICTABLE_PGCULLED, nr);
	}
	set_page_flag(folio, PG_lru);
	lruvec_add_folio(l, folio);
	folio->mlock_count = 0;
}

static void lru_add(struct page *folio)
{
	struct lruvec *l = folio_lruvec(folio);

	spin_lock(&l->lru_lock);
	lru_add_locked(l, folio);
	spin_unlock(&l->lru_lock);
}

/* A folio isolated by reclaim goes back: written ones to the inactive tail
 * for a quick second look (folio_rotate_reclaimable). */
void folio_putback_lru_tail(struct page *folio, bool tail)
{
	struct lruvec *l = folio_lruvec(folio);

	spin_lock(&l->lru_lock);
	if (tail && folio_evictable(folio) && !test_page_flag(folio, PG_unevictable)) {
		set_page_flag(folio, PG_lru);
		lruvec_add_folio_tail(l, folio);
		count_vm_event(PGROTATED);
	} else {
		lru_add_locked(l, folio);
	}
	spin_unlock(&l->lru_lock);
	put_page(folio);
}

static void lru_batch_drain(struct lru_batch *b)
{
	struct page *f[LRU_BATCH];
	unsigned int n;

	spin_lock(&b->lock);
	n = b->nr;
	b->nr = 0;
	memcpy(f, b->folios, n * sizeof(f[0]));
	for (unsigned int i = 0; i < n; i++)
		b->move(f[i]);
	spin_unlock(&b->lock);
	/* the batch's references go after the lists are unlocked: one may be
	 * the last and free the folio, which takes the lru lock */
	for (unsigned int i = 0; i < n; i++)
		put_page(f[i]);
}

void folio_add_lru(struct page *folio)
{
	struct cpu *c = this_cpu();

	get_page(folio);
	/* large folios skip the batch, as the kernel's */
	if (!c || folio_test_large(folio)) {
		lru_add(folio);
		put_page(folio);
		return;
	}
	lru_batch_add(&lru_batches[2 * c->id], folio, false);
}

/* Add @folio (with its reference) to a batch; a full batch, or @now, drains. */
static void lru_batch_add(struct lru_batch *b, struct page *folio, bool now)
{
	spin_lock(&b->lock);
	b->folios[b->nr++] = folio;
	if (b->nr < LRU_BATCH && !now) {
		spin_unlock(&b->lock);
		return;
	}
	spin_unlock(&b->lock);
	lru_batch_drain(b);
}

/* Every CPU's batch (lru_add_drain_all; the kernel queues work on each
 * CPU, the model's batches have a lock instead). */
void lru_add_drain_all(void)
{
	for (unsigned int i = 0; lru_batches && i < 2 * nr_cpu_ids; i++)
		lru_batch_drain(&lru_batches[i]);
}

/* Drain this CPU's batch (lru_add_drain). */
void lru_add_drain(void)
{
	struct cpu *c = this_cpu();

	if (c) {
		lru_batch_drain(&lru_batches[2 * c->id]);
		lru_batch_drain(&lru_batches[2 * c->id + 1]);
	}
}

/* Only when no CPU is in use by anyone else (teardown). */
void lru_add_drain_all_quiet(void)
{
	for (unsigned int i = 0; lru_batches && i < 2 * nr_cpu_ids; i++)
		lru_batch_drain(&lru_batches[i]);
}

bool folio_isolate_lru(struct page *folio)
{
	struct lruvec *l = folio_lruvec(folio);
	bool ret = false;

	spin_lock(&l->lru_lock);
	if (test_page_flag(folio, PG_lru)) {
		clear_page_flag(folio, PG_lru);
		lruvec_del_folio(l, folio);
		get_page(folio);
		ret = true;
	}
	spin_unlock(&l->lru_lock);
	return ret;
}

void folio_putback_lru(struct page *folio)
{
	lru_add(folio);
	put_page(folio);
}

void lru_note_free(struct page *folio)
{
	struct lruvec *l = folio_lruvec(folio);

	spin_lock(&l->lru_lock);
	if (test_page_flag(folio, PG_lru)) {
		clear_page_flag(folio, PG_lru);
		lruvec_del_folio(l, folio);
	}
	spin_unlock(&l->lru_lock);
}

/* Move a folio on the LRU to another list after changing its flags. */
static void lru_move(struct page *folio, void (*change)(struct page *), enum vm_event_item ev)
{
	struct lruvec *l = folio_lruvec(folio);

	spin_lock(&l->lru_lock);
	if (test_page_flag(folio, PG_lru) && !test_page_flag(folio, PG_unevictable)) {
		lruvec_del_folio(l, folio);
		change(folio);
		lruvec_add_folio(l, folio);
		count_vm_events(ev, (long)folio_nr_pages(folio));
	}
	spin_unlock(&l->lru_lock);
}

static void make_inactive(struct page *f)
{
	clear_page_flag(f, PG_active);
	clear_page_flag(f, PG_referenced);
}

static void make_active(struct page *f) { set_page_flag(f, PG_active); }

static void make_lazyfree(struct page *f)
{
	clear_page_flag(f, PG_active);
	clear_page_flag(f, PG_referenced);
	clear_page_flag(f, PG_swapbacked);
}

void folio_deactivate(struct page *folio)
{
	if (test_page_flag(folio, PG_active) || test_page_flag(folio, PG_referenced))
		lru_move(folio, make_inactive, PGDEACTIVATE);
}

void folio_activate(struct page *folio)
{
	if (!test_page_flag(folio, PG_active))
		lru_move(folio, make_active, PGACTIVATE);
}

static bool lazyfree_candidate(struct page *folio)
{
	return PageAnon(folio) && test_page_flag(folio, PG_swapbacked) &&
	       !PageSwapCache(folio) && !test_page_flag(folio, PG_unevictable);
}

/* lru_lazyfree: the batch's move (its folio may have changed meanwhile) */
static void lru_lazyfree(struct page *folio)
{
	if (lazyfree_candidate(folio))
		lru_move(folio, make_lazyfree, PGLAZYFREE);
}

/*
 * MADV_FREE: an anonymous folio becomes clean and goes to the file list,
 * through this CPU's lru_lazyfree batch (so pglazyfree and smaps' LazyFree
 * see a small folio when the batch drains); a large folio drains the batch
 * at once, as the kernel's folio batches do.
 */
void folio_mark_lazyfree(struct page *folio)
{
	struct cpu *c = this_cpu();

	if (!lazyfree_candidate(folio) || !test_page_flag(folio, PG_lru))
		return;
	if (!c) {
		lru_lazyfree(folio);
		return;
	}
	get_page(folio);	/* the batch's */
	lru_batch_add(&lru_batches[2 * c->id + 1], folio, folio_test_large(folio));
}
