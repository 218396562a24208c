/*
 * vmscan.c - page reclaim: the classic two-list LRU per node.
 *
 * shrink_node() balances anonymous against file-backed lists by swappiness,
 * refills the inactive list from the active one when it runs low
 * (shrink_active_list), and reclaims from the inactive tail
 * (shrink_inactive_list -> shrink_folio_list).  A folio is aged through
 * rmap: young PTEs send it back to the active list.  An anonymous folio gets
 * a swap slot, is unmapped with its TLB flush batched (TTU_BATCH_FLUSH),
 * written, and freed on a later pass once clean (its write "in flight" keeps
 * it in the swap cache until then, as a real write-back does); with memory
 * tiering on, it is demoted to the slower node instead.  Lazily freed
 * (MADV_FREE) folios are dropped if still clean.
 *
 * kswapd: one host thread per node, woken when an allocation finds the node
 * below its low watermark; it reclaims until the high watermark.  Direct
 * reclaim: an allocation below the min watermark reclaims itself.
 *
 * Locks: isolation under lru_lock; each folio is worked on under its folio
 * lock; the batched flush (try_to_unmap_flush) happens before any unmapped
 * folio is freed.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "swap.h"
#include "lib/waitqueue.h"

#define SWAP_CLUSTER_MAX	32
#define DEF_PRIORITY		12

struct scan_control {
	unsigned long nr_to_reclaim, nr_reclaimed, nr_scanned;
	int priority;
	bool kswapd;
	bool proactive;		/* memory.reclaim: counted as pg*_proactive */
	bool may_swap;
	bool no_demotion;
	int swappiness;		/* memory.reclaim's swappiness=; else -1 */
};

enum folio_references {
	FOLIOREF_RECLAIM,
	FOLIOREF_RECLAIM_CLEAN,
	FOLIOREF_KEEP,
	FOLIOREF_ACTIVATE,
};

static struct wait_queue_head kswapd_wait[MAX_NUMNODES];
static kthread_t kswapd_thread[MAX_NUMNODES];
static bool kswapd_started;


static enum folio_references folio_check_references(struct page *folio)
{
	unsigned long vm_flags = 0;
	int referenced_ptes = folio_referenced(folio, true, &vm_flags);
	bool referenced_folio = test_page_flag(folio, PG_referenced);

	/* a VM_LOCKED VMA maps it: kept (the walk mlocked it again where
	 * that VMA maps all of it, and the putback moves it to the
	 * unevictable list then) */
	if (vm_flags & VM_LOCKED)
		return FOLIOREF_ACTIVATE;
	clear_page_flag(folio, PG_referenced);
	if (referenced_ptes) {
		/* anonymous and shmem: one young PTE is enough to stay */
		if (test_page_flag(folio, PG_swapbacked))
			return FOLIOREF_ACTIVATE;
		set_page_flag(folio, PG_referenced);
		if (referenced_folio || referenced_ptes > 1)
			return FOLIOREF_ACTIVATE;
		return FOLIOREF_KEEP;
	}
	if (referenced_folio && !test_page_flag(folio, PG_swapbacked))
		return FOLIOREF_RECLAIM_CLEAN;
	return FOLIOREF_RECLAIM;
}

static bool can_demote(int nid, struct scan_control *sc)
{
	return !sc->no_demotion && numa_demotion_enabled() && next_demotion_node(nid) >= 0;
}

/* Write a dirty, unmapped folio: 0 written (in flight), 1 nothing to write
 * (zero-filled), <0 could not. */
static int pageout(struct page *folio)
{
	if (PageSwapCache(folio))
		return swap_writeout(folio);
	if (!PageAnon(folio) && test_page_flag(folio, PG_swapbacked))
		return shmem_writeout(folio);
	if (!PageAnon(folio) && folio->mapping)
		return filemap_writeout(folio);
	return -EINVAL;
}

/* A clean, unmapped folio leaves its cache (__remove_mapping); the caller's
 * isolation reference then is the last. */
static bool remove_mapping(struct page *folio)
{
	if (PageSwapCache(folio)) {
		if (page_ref_count(folio) != 2)
			return false;	/* someone else holds it */
		delete_from_swap_cache(folio);
		return true;
	}
	if (!PageAnon(folio) && folio->mapping) {
		/* clean shmem: never written, all zero, a hole reads the
		 * same; a clean disk file folio: the disk has its data */
		return shmem_drop_clean(folio);
	}
	return page_ref_count(folio) == 1;	/* lazyfree anon */
}

/* What shrink_folio_list does with a large folio (shrink_large_folio). */
enum large_folio_fate { LARGE_SPLIT, LARGE_FREE, LARGE_ACTIVATE, LARGE_KEEP, LARGE_WHOLE };

/*
 * A large folio (locked): the model swaps small folios, so one is split
 * here (its other pages go onto @folio_list), as the kernel does when
 * swap has no room for it whole (this host's swap files never have:
 * thp_swpout_fallback).  Demotion takes a THP mapped by one PMD whole
 * (LARGE_WHOLE; migrate.c splits it if the slow node has no free 2 MiB)
 * and splits any other large folio here.  A large MADV_FREE'd folio is kept whole if written since,
 * else dropped whole (LARGE_FREE).
 */
static enum large_folio_fate shrink_large_folio(struct page *folio, struct list_head *folio_list,
						bool do_demote_pass)
{
	unsigned int order = folio_order(folio);
	bool to_swap;

	if (PageAnon(folio) && !test_page_flag(folio, PG_swapbacked)) {
		if (folio_lazyfree_redirtied(folio))
			return LARGE_ACTIVATE;
		if (!folio_lazyfree_discard(folio)) {
			if (test_page_flag(folio, PG_swapbacked))
				return LARGE_ACTIVATE;	/* written meanwhile */
			return LARGE_KEEP;
		}
		return LARGE_FREE;
	}
	/* demotion moves a THP mapped by one PMD whole (migrate_huge.c) */
	if (do_demote_pass && folio_migrate_whole(folio))
		return LARGE_WHOLE;
	to_swap = !do_demote_pass && PageAnon(folio) && test_page_flag(folio, PG_swapbacked) &&
		  !PageSwapCache(folio);
	if (split_folio_to_list(folio, folio_list))
		return LARGE_KEEP;
	if (to_swap) {
		if (order == HPAGE_PMD_ORDER)
			count_vm_event(THP_SWPOUT_FALLBACK);
		count_mthp_stat(order, MTHP_STAT_SWPOUT_FALLBACK);
	} else if (do_demote_pass && order == HPAGE_PMD_ORDER) {
		count_vm_event(THP_MIGRATION_SPLIT);
	}
	return LARGE_SPLIT;
}

static unsigned int shrink_folio_list(struct list_head *folio_list, int nid,
				      struct scan_control *sc, bool ignore_references)
{
	LIST_HEAD_ON_STACK(ret_folios);
	LIST_HEAD_ON_STACK(free_folios);
	LIST_HEAD_ON_STACK(demote_folios);
	bool do_demote_pass = can_demote(nid, sc);
	unsigned int nr_reclaimed = 0;

retry:
	while (!list_empty(folio_list)) {
		struct page *folio = list_entry(folio_list->prev, struct page, lru);
		enum folio_references refs = FOLIOREF_RECLAIM;
		int ret;

		list_del(&folio->lru);
		if (!folio_trylock(folio))
			goto keep;
		sc->nr_scanned++;
		if (!folio_evictable(folio))
			goto activate_locked;
		if (!ignore_references)
			refs = folio_check_references(folio);
		if (refs == FOLIOREF_ACTIVATE)
			goto activate_locked;
		if (refs == FOLIOREF_KEEP)
			goto keep_locked;
		if (folio_test_large(folio)) {
			unsigned long nr = folio_nr_pages(folio);

			switch (shrink_large_folio(folio, folio_list, do_demote_pass)) {
			case LARGE_FREE:
				count_vm_events(PGLAZYFREED, (long)nr);
				folio_unlock(folio);
				nr_reclaimed += nr;
				list_add(&folio->lru, &free_folios);
				continue;
			case LARGE_ACTIVATE:
				goto activate_locked;
			case LARGE_KEEP:
				goto keep_locked;
			case LARGE_SPLIT:
			case LARGE_WHOLE:
				break;
			}
		}

		/* tiering: demote rather than swap */
		if (do_demote_pass && !PageSwapCache(folio)) {
			folio_unlock(folio);
			list_add(&folio->lru, &demote_folios);
			continue;
		}
		if (PageAnon(folio) && test_page_flag(folio, PG_swapbacked) &&
		    !PageSwapCache(folio)) {
			if (!sc->may_swap || !add_to_swap(folio))
				goto activate_locked;
		}
		if (folio_mapped(folio)) {
			try_to_unmap(folio, TTU_BATCH_FLUSH);
			if (folio_mapped(folio))
				goto activate_locked;
		}
		/* a droppable folio dropped from its mappings while dirty: the
		 * file-LRU rule keeps a dirty folio for kswapd's writeback,
		 * and anonymous memory has none (the mappings are gone) */
		if (PageDirty(folio) && PageAnon(folio) &&
		    !test_page_flag(folio, PG_swapbacked))
			goto activate_locked;
		if (PageDirty(folio)) {
			if (refs == FOLIOREF_RECLAIM_CLEAN)
				goto keep_locked;
			/* a file folio is left to writeback, marked for
			 * immediate reclaim once written (PG_reclaim, the bit
			 * PG_readahead shares) and active; only kswapd
			 * writes it, standing in for the flusher threads */
			if (!PageAnon(folio) && !test_page_flag(folio, PG_swapbacked) &&
			    !sc->kswapd) {
				set_page_flag(folio, PG_reclaim);
				goto activate_locked;
			}
			/* a dirty PTE cleared lazily could still be written
			 * through: flush before the data goes out */
			try_to_unmap_flush_dirty();
			ret = pageout(folio);
			if (ret < 0)
				goto activate_locked;
			count_vm_event(NR_VMSCAN_WRITE);
			if (!ret) {
				/* the write is "in flight": free it on a
				 * later pass */
				set_page_flag(folio, PG_reclaim);
				goto keep_locked;
			}
			/* zero-filled: no I/O was started, the folio is
			 * clean now and leaves the swap cache in this pass */
		}
		if (!remove_mapping(folio))
			goto keep_locked;
		if (PageAnon(folio) && !test_page_flag(folio, PG_swapbacked))
			count_vm_event(PGLAZYFREED);
		clear_page_flag(folio, PG_reclaim);
		folio_unlock(folio);
		nr_reclaimed++;
		list_add(&folio->lru, &free_folios);
		continue;
activate_locked:
		if (!test_page_flag(folio, PG_active) && folio_evictable(folio)) {
			set_page_flag(folio, PG_active);
			count_vm_event(PGACTIVATE);
		}
keep_locked:
		folio_unlock(folio);
keep:
		list_add(&folio->lru, &ret_folios);
	}

	if (!list_empty(&demote_folios)) {
		unsigned int n = demote_folio_list(&demote_folios, nid);

		nr_reclaimed += n;
		count_vm_events(sc->kswapd ? PGDEMOTE_KSWAPD : PGDEMOTE_DIRECT, n);
		/* what could not be demoted is reclaimed the usual way */
		if (!list_empty(&demote_folios)) {
			list_splice_init(&demote_folios, folio_list);
			do_demote_pass = false;
			goto retry;
		}
	}
	/* no folio is freed while a TLB may still map it */
	try_to_unmap_flush();
	while (!list_empty(&free_folios)) {
		struct page *folio = list_first_entry(&free_folios, struct page, lru);

		list_del(&folio->lru);
		put_page(folio);
	}
	list_splice_init(&ret_folios, folio_list);
	return nr_reclaimed;
}

/* Put isolated folios back (an mlocked one to the unevictable list). */
static void putback_folio_list(struct list_head *list)
{
	while (!list_empty(list)) {
		struct page *folio = list_first_entry(list, struct page, lru);

		list_del(&folio->lru);
		folio_putback_lru_tail(folio, test_page_flag(folio, PG_reclaim) &&
				       !test_page_flag(folio, PG_active));
	}
}

/* Take up to @nr folios from the tail of @lru that are not being freed. */
static unsigned long isolate_lru_folios(struct lruvec *l, enum lru_list lru,
				       unsigned long nr, struct list_head *dst)
{
	unsigned long taken = 0, scanned = 0;
	struct list_head *list = &l->lists[lru];

	spin_lock(&l->lru_lock);
	while (!list_empty(list) && taken < nr && scanned < nr * 4) {
		struct page *folio = list_entry(list->prev, struct page, lru);
		int ref = atomic_read(&folio->_refcount);

		scanned++;
		/* folio_try_get: a folio at zero is on its way out */
		if (!ref || !__atomic_compare_exchange_n(&folio->_refcount, &ref, ref + 1,
							 false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			list_del(&folio->lru);
			list_add(&folio->lru, list);
			continue;
		}
		clear_page_flag(folio, PG_lru);
		lruvec_del_folio(l, folio);
		list_add(&folio->lru, dst);
		taken += folio_nr_pages(folio);	/* counted in pages */
	}
	spin_unlock(&l->lru_lock);
	return taken;
}

static unsigned long shrink_inactive_list(unsigned long nr, struct lruvec *l,
					  enum lru_list lru, int nid, struct scan_control *sc)
{
	LIST_HEAD_ON_STACK(list);
	unsigned long taken, got;

	lru_add_drain();
	taken = isolate_lru_folios(l, lru, nr, &list);
	if (!taken)
		return 0;
	count_vm_events(sc->kswapd ? PGSCAN_KSWAPD : sc->proactive ? PGSCAN_PROACTIVE :
			PGSCAN_DIRECT, taken);
	count_vm_events(is_file_lru(lru) ? PGSCAN_FILE : PGSCAN_ANON, taken);
	got = shrink_folio_list(&list, nid, sc, false);
	count_vm_events(sc->kswapd ? PGSTEAL_KSWAPD : sc->proactive ? PGSTEAL_PROACTIVE :
			PGSTEAL_DIRECT, got);
	count_vm_events(is_file_lru(lru) ? PGSTEAL_FILE : PGSTEAL_ANON, got);
	sc->nr_reclaimed += got;
	putback_folio_list(&list);
	return got;
}

/* Age the active list: everything not worth keeping becomes inactive. */
static void shrink_active_list(unsigned long nr, struct lruvec *l, enum lru_list lru)
{
	LIST_HEAD_ON_STACK(list);
	unsigned long taken;

	lru_add_drain();
	taken = isolate_lru_folios(l, lru, nr, &list);
	count_vm_events(PGREFILL, taken);
	while (!list_empty(&list)) {
		struct page *folio = list_first_entry(&list, struct page, lru);

		list_del(&folio->lru);
		/* referenced anonymous folios are deactivated anyway: the
		 * inactive list gives them a second chance */
		folio_referenced(folio, false, &(unsigned long){ 0 });
		clear_page_flag(folio, PG_active);
		count_vm_event(PGDEACTIVATE);
		folio_putback_lru(folio);
	}
}

static bool inactive_is_low(struct lruvec *l, enum lru_list inactive)
{
	long in = READ_ONCE(l->nr[inactive]), act = READ_ONCE(l->nr[inactive + 1]);
	long gb = (in + act) >> (30 - PAGE_SHIFT);
	long ratio = gb ? (long)sqrt(10.0 * gb) : 1;

	return in * ratio < act;
}

static void shrink_node(int nid, struct scan_control *sc)
{
	struct lruvec *l = &NODE_DATA(nid)->lruvec;
	bool anon_ok = (total_swap_pages() > 0 && nr_swap_pages() > 0) || can_demote(nid, sc);
	int swappiness = sc->swappiness >= 0 ? sc->swappiness : READ_ONCE(knobs.swappiness);

	/* shrink_slab's deferred split shrinker: partly unmapped large
	 * folios give back their unmapped pages */
	if (deferred_split_count())
		deferred_split_scan(SWAP_CLUSTER_MAX);
	for (enum lru_list lru = LRU_INACTIVE_ANON; lru <= LRU_INACTIVE_FILE; lru += 2) {
		bool anon = lru == LRU_INACTIVE_ANON;
		long size = READ_ONCE(l->nr[lru]) + READ_ONCE(l->nr[lru + 1]);
		long share = anon ? (anon_ok ? swappiness : 0) : max(200L - swappiness, 0L);
		unsigned long scan;

		if (!share || !size)
			continue;
		scan = ((unsigned long)size >> sc->priority) * share / 100;
		if (!scan)
			scan = min((unsigned long)size, (unsigned long)SWAP_CLUSTER_MAX);
		if (inactive_is_low(l, lru))
			shrink_active_list(SWAP_CLUSTER_MAX, l, lru + 1);
		while (scan && sc->nr_reclaimed < sc->nr_to_reclaim) {
			unsigned long n = min(scan, (unsigned long)SWAP_CLUSTER_MAX);

			if (!shrink_inactive_list(n, l, lru, nid, sc) && !READ_ONCE(l->nr[lru]))
				break;
			scan -= n;
		}
	}
}

/* Direct reclaim: an allocation that found the node below min. */
unsigned long try_to_free_pages(int nid, unsigned long nr)
{
	struct scan_control sc = { .nr_to_reclaim = max(nr, (unsigned long)SWAP_CLUSTER_MAX),
				   .may_swap = true, .swappiness = -1 };

	count_vm_event(ALLOCSTALL_NORMAL);
	for (sc.priority = DEF_PRIORITY; sc.priority >= 0 &&
	     sc.nr_reclaimed < sc.nr_to_reclaim; sc.priority--)
		shrink_node(nid, &sc);
	return sc.nr_reclaimed;
}

/*
 * Proactive reclaim, a write to the root memory cgroup's memory.reclaim:
 * "SIZE[K|M|G] [swappiness=N|max]".  Reclaims in rounds of a quarter of
 * what is left (at least SWAP_CLUSTER_MAX) from every node, draining the
 * per-CPU LRU batches first, whatever the watermarks; 16 rounds that free
 * nothing end it with EAGAIN.  swappiness=max reclaims anonymous memory
 * only.
 */
static int parse_reclaim_request(const char *buf, unsigned long *pages, int *swappiness)
{
	unsigned long long bytes;
	char unit = 0, sw[8] = "";
	int n, used = 0;

	if (sscanf(buf, "%llu%n", &bytes, &used) != 1 || buf[0] == '-' || buf[0] == '+')
		return -EINVAL;
	buf += used;
	if (*buf && strchr("kKmMgG", *buf))
		unit = (char)tolower((unsigned char)*buf++);
	bytes <<= unit == 'k' ? 10 : unit == 'm' ? 20 : unit == 'g' ? 30 : 0;
	*pages = (unsigned long)(bytes >> PAGE_SHIFT);
	*swappiness = -1;
	while (*buf == ' ' || *buf == '\t')
		buf++;
	if (!*buf || !strcmp(buf, "\n"))
		return 0;
	if (sscanf(buf, "swappiness=%7[a-z0-9]%n", sw, &used) != 1 ||
	    (buf[used] && strcmp(buf + used, "\n")))
		return -EINVAL;
	if (!strcmp(sw, "max")) {
		*swappiness = 201;	/* SWAPPINESS_ANON_ONLY */
		return 0;
	}
	if (sscanf(sw, "%d%n", &n, &used) != 1 || sw[used] || n < 0 || n > 200)
		return -EINVAL;
	*swappiness = n;
	return 0;
}

long user_proactive_reclaim(const char *buf)
{
	unsigned long want, done = 0;
	int retries = 16, swappiness, ret;

	if (!buf)
		return -EFAULT;
	ret = parse_reclaim_request(buf, &want, &swappiness);
	if (ret)
		return ret;
	while (done < want) {
		unsigned long batch = max((want - done) / 4, (unsigned long)SWAP_CLUSTER_MAX);
		unsigned long got = 0;

		lru_add_drain_all();
		for (unsigned int nid = 0; nid < phys.nr_nodes && got < batch; nid++) {
			struct scan_control sc = { .nr_to_reclaim = batch - got, .may_swap = true,
						   .proactive = true, .swappiness = swappiness };

			for (sc.priority = DEF_PRIORITY; sc.priority >= 0 &&
			     sc.nr_reclaimed < sc.nr_to_reclaim; sc.priority--)
				shrink_node((int)nid, &sc);
			got += sc.nr_reclaimed;
		}
		if (!got && !retries--)
			return -EAGAIN;
		done += got;
	}
	return (long)strlen(buf);
}

/* MADV_PAGEOUT: reclaim these isolated folios now, no demotion. */
unsigned long reclaim_pages(struct list_head *folio_list, bool ignore_references)
{
	struct scan_control sc = { .nr_to_reclaim = ~0UL, .may_swap = true, .no_demotion = true,
				   .swappiness = -1 };
	unsigned long n = 0;

	while (!list_empty(folio_list)) {
		LIST_HEAD_ON_STACK(node_list);
		struct page *first = list_first_entry(folio_list, struct page, lru);
		int nid = page_to_nid(first);
		struct page *f, *tmp;

		list_for_each_entry_safe(f, tmp, folio_list, lru) {
			if (page_to_nid(f) == nid) {
				list_del(&f->lru);
				list_add_tail(&f->lru, &node_list);
			}
		}
		n += shrink_folio_list(&node_list, nid, &sc, ignore_references);
		putback_folio_list(&node_list);
	}
	return n;
}

/* ---- kswapd ---- */

/* pgdat_balanced: kswapd's goal, the high watermark; with memory tiering
 * the promotion watermark (WMARK_PROMO), room for promotions above high. */
static unsigned long kswapd_mark(int nid)
{
	struct pglist_data *pgdat = NODE_DATA(nid);

	if (READ_ONCE(knobs.numa_balancing) & 2)	/* NUMA_BALANCING_MEMORY_TIERING */
		return pgdat->watermark_promo;
	return pgdat->watermark_high;
}

static bool node_balanced(int nid)
{
	return node_free_pages(nid) >= kswapd_mark(nid);
}

/*
 * balance_pgdat: reclaim until the node is balanced.  Each round
 * (kswapd_shrink_node) aims at the high watermark's worth of pages; the
 * scan priority rises (more of the LRU per round) only when a round
 * scanned less than that or reclaimed nothing, so kswapd keeps going while
 * it makes progress and gives up at priority 1.
 */
static void balance_pgdat(int nid)
{
	struct scan_control sc = { .kswapd = true, .may_swap = true, .priority = DEF_PRIORITY,
				   .swappiness = -1 };
	unsigned long target = max(NODE_DATA(nid)->watermark_high,
				   (unsigned long)SWAP_CLUSTER_MAX);

	count_vm_event(PAGEOUTRUN);
	while (sc.priority >= 1 && !node_balanced(nid)) {
		unsigned long reclaimed = sc.nr_reclaimed;

		sc.nr_to_reclaim = sc.nr_reclaimed + target;
		sc.nr_scanned = 0;
		shrink_node(nid, &sc);
		if (sc.nr_scanned < target || sc.nr_reclaimed == reclaimed)
			sc.priority--;
	}
}

static bool kswapd_should_run(void *arg)
{
	struct pglist_data *pgdat = arg;

	return READ_ONCE(pgdat->kswapd_stop) || READ_ONCE(pgdat->kswapd_wait);
}

static void *kswapd(void *arg)
{
	struct pglist_data *pgdat = arg;
	int nid = pgdat->node_id;

	while (!READ_ONCE(pgdat->kswapd_stop)) {
		wait_event_timeout(&kswapd_wait[nid], kswapd_should_run, pgdat, 100);
		if (READ_ONCE(pgdat->kswapd_stop))
			break;
		if (!__atomic_exchange_n(&pgdat->kswapd_wait, 0, __ATOMIC_ACQ_REL))
			continue;
		__atomic_store_n(&pgdat->kswapd_running, 1, __ATOMIC_RELEASE);
		balance_pgdat(nid);
		__atomic_store_n(&pgdat->kswapd_running, 0, __ATOMIC_RELEASE);
	}
	return NULL;
}

void wakeup_kswapd(int nid)
{
	struct pglist_data *pgdat = NODE_DATA(nid);

	if (!kswapd_started || READ_ONCE(pgdat->kswapd_wait) || READ_ONCE(pgdat->kswapd_running))
		return;
	__atomic_store_n(&pgdat->kswapd_wait, 1, __ATOMIC_RELEASE);
	wake_up(&kswapd_wait[nid]);
}

int kswapd_start(void)
{
	for (unsigned int n = 0; n < phys.nr_nodes; n++) {
		init_waitqueue_head(&kswapd_wait[n]);
		node_data[n].kswapd_stop = 0;
		if (kthread_run(&kswapd_thread[n], "kswapd", kswapd, &node_data[n]))
			return -ENOMEM;
	}
	kswapd_started = true;
	return 0;
}

bool kswapd_idle(void)
{
	for (unsigned int n = 0; kswapd_started && n < phys.nr_nodes; n++)
		if (__atomic_load_n(&node_data[n].kswapd_wait, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&node_data[n].kswapd_running, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

void kswapd_stop_all(void)
{
	if (!kswapd_started)
		return;
	for (unsigned int n = 0; n < phys.nr_nodes; n++) {
		__atomic_store_n(&node_data[n].kswapd_stop, 1, __ATOMIC_RELEASE);
		wake_up(&kswapd_wait[n]);
		kthread_join(kswapd_thread[n]);
		destroy_waitqueue_head(&kswapd_wait[n]);
	}
	kswapd_started = false;
}

/*
 * Watermarks as the kernel sets them: min_free_kbytes = sqrt(16 * memory in
 * kB) within [128 kB, 256 MB], shared by nodes by size; low and high above
 * min by max(min/4, managed * watermark_scale_factor / 10000) and twice it;
 * the promotion watermark (WMARK_PROMO) the same gap above high.
 */
void setup_per_zone_wmarks(void)
{
	unsigned long total = 0, min_kb;

	for (unsigned int n = 0; n < phys.nr_nodes; n++)
		total += phys.node[n].nr_frames;
	min_kb = (unsigned long)sqrt((double)(total << (PAGE_SHIFT - 10)) * 16);
	min_kb = min(max(min_kb, 128UL), 262144UL);
	if (READ_ONCE(knobs.min_free_kbytes) > 0)
		min_kb = (unsigned long)knobs.min_free_kbytes;
	for (unsigned int n = 0; n < phys.nr_nodes; n++) {
		struct pglist_data *pgdat = NODE_DATA(n);
		unsigned long managed = phys.node[n].nr_frames;
		unsigned long min_pages = (min_kb >> (PAGE_SHIFT - 10)) * managed / total;
		unsigned long gap = max(min_pages / 4,
					managed * (unsigned long)READ_ONCE(knobs.watermark_scale_factor) / 10000);

		pgdat->managed = managed;
		pgdat->watermark_min = min_pages;
		pgdat->watermark_low = min_pages + gap;
		pgdat->watermark_high = min_pages + 2 * gap;
		pgdat->watermark_promo = min_pages + 3 * gap;
	}
}
