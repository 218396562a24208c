/*
 * page_alloc.c - the buddy allocator: per NUMA node one zone with free lists
 * of orders 0..MAX_ORDER, and per-CPU lists of order-0 pages in front of it.
 *
 * Locks: zone->lock guards the zone's free lists and counts.  A CPU's
 * per_cpu_pages are touched only by the host thread that owns the CPU (no
 * lock, as the kernel relies on disabled preemption); code running with no
 * CPU goes to the buddy lists directly.
 *
 * Every free bumps the frame's use generation (page->gen) before the frame can
 * be handed out again: a TLB entry filled before the free no longer matches.
 * Frames come from the host zeroed (PG_zeroed); a frame that was used loses
 * the mark, so a zeroing allocation clears only what needs it.
 */
#include <stdlib.h>
#include "swap.h"

struct free_area {
	struct list_head free_list;
	unsigned long nr_free;
};

struct zone {
	spinlock_t lock;
	int nid;
	unsigned long start_pfn, nr_frames;
	long free_pages;
	struct free_area free_area[MAX_ORDER + 1];
};

struct per_cpu_pages {
	int count, high, batch;
	struct list_head list;
};

static struct zone zones[MAX_NUMNODES];
static struct per_cpu_pages *pcp_mem;

static inline struct zone *page_zone(struct page *p) { return &zones[page_to_nid(p)]; }

static inline void set_buddy(struct page *p, unsigned int order)
{
	p->private = order;
	set_page_flag(p, PG_buddy);
}

static void zone_add_free(struct zone *z, struct page *p, unsigned int order)
{
	set_buddy(p, order);
	list_add(&p->lru, &z->free_area[order].free_list);
	z->free_area[order].nr_free++;
}

static void zone_del_free(struct zone *z, struct page *p, unsigned int order)
{
	list_del(&p->lru);
	clear_page_flag(p, PG_buddy);
	z->free_area[order].nr_free--;
}

/* Put a block back, merging with free buddies; zone->lock held. */
static void __free_one_page(struct zone *z, struct page *p, unsigned int order)
{
	unsigned long pfn = page_to_pfn(p) - z->start_pfn;

	atomic_add(&z->free_pages, 1L << order);
	count_vm_events(NR_FREE_PAGES, 1L << order);
	while (order < MAX_ORDER) {
		unsigned long bpfn = pfn ^ (1UL << order);
		struct page *b;

		if (bpfn >= z->nr_frames)
			break;
		b = pfn_to_page(z->start_pfn + bpfn);
		if (!test_page_flag(b, PG_buddy) || b->private != order)
			break;
		zone_del_free(z, b, order);
		pfn &= bpfn;
		order++;
	}
	zone_add_free(z, pfn_to_page(z->start_pfn + pfn), order);
}

static struct page *__rmqueue(struct zone *z, unsigned int order)
{
	for (unsigned int o = order; o <= MAX_ORDER; o++) {
		struct free_area *a = &z->free_area[o];
		struct page *p;

		if (list_empty(&a->free_list))
			continue;
		p = list_first_entry(&a->free_list, struct page, lru);
		zone_del_free(z, p, o);
		while (o > order) {
			o--;
			zone_add_free(z, p + (1UL << o), o);
		}
		atomic_sub(&z->free_pages, 1L << order);
		count_vm_events(NR_FREE_PAGES, -(1L << order));
		return p;
	}
	return NULL;
}

static void prep_new_page(struct page *p, unsigned int order, unsigned int gfp)
{
	luf_prep_new(p, order);
	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page *q = p + i;
		bool zeroed = test_page_flag(q, PG_zeroed);

		VM_BUG_ON(atomic_read(&q->_refcount) != 0);
		VM_BUG_ON(atomic_read(&q->_mapcount) != -1);
		/* others may test a neighbour's PG_buddy: flags change atomically */
		__atomic_store_n(&q->flags, (READ_ONCE(q->flags) & (7UL << NODE_SHIFT)) |
				 (zeroed ? 1UL << PG_zeroed : 0), __ATOMIC_RELAXED);
		q->mapping = NULL;
		q->index = 0;
		q->private = 0;
		atomic_set(&q->_mapcount, -1);
		atomic_set(&q->_refcount, i == 0 ? 1 : 0);
		/* the host's shortcuts (a frame it knows is zero, no data)
		 * skip the bytes, never the simulated clear_page */
		if ((gfp & GFP_ZERO) && !zeroed &&
		    !(phys.no_data && (gfp & GFP_NODATA_OK)))
			frame_clear(page_to_pfn(q));
		clear_page_flag(q, PG_zeroed);
	}
	if (gfp & GFP_ZERO)
		charge_this_cpu(COST_PAGE_ZERO, 1UL << order);
	count_vm_events(PGALLOC_NORMAL, 1L << order);
}

static struct per_cpu_pages *this_pcp(int nid)
{
	struct cpu *c = this_cpu();

	return c ? &pcp_mem[c->id * MAX_NUMNODES + nid] : NULL;
}

static struct page *rmqueue_pcp(struct zone *z)
{
	struct per_cpu_pages *pcp = this_pcp(z->nid);
	struct page *p;

	if (!pcp) {
		spin_lock(&z->lock);
		p = __rmqueue(z, 0);
		spin_unlock(&z->lock);
		return p;
	}
	local_irq_disable();	/* a drain IPI must not see the list half-changed */
	if (!pcp->count) {
		spin_lock(&z->lock);
		for (int i = 0; i < pcp->batch; i++) {
			p = __rmqueue(z, 0);
			if (!p)
				break;
			set_page_flag(p, PG_pcp);
			list_add_tail(&p->lru, &pcp->list);
			pcp->count++;
		}
		spin_unlock(&z->lock);
		if (!pcp->count) {
			local_irq_enable();
			return NULL;
		}
	}
	p = list_first_entry(&pcp->list, struct page, lru);
	list_del(&p->lru);
	clear_page_flag(p, PG_pcp);
	pcp->count--;
	local_irq_enable();
	return p;
}

/* Free pages of a node on the free lists alone (no flush needed). */
unsigned long node_free_pages_now(int nid)
{
	return (unsigned long)max(READ_ONCE(zones[nid].free_pages), 0L);
}

/* Free pages of a node, LUF's parked frames included (they are free
 * memory that costs one flush to use). */
unsigned long node_free_pages(int nid)
{
	return (unsigned long)max(READ_ONCE(zones[nid].free_pages) + luf_node_parked(nid), 0L);
}

/* An allocation that cannot wait (GFP_ATOMIC) counts only frames needing no
 * flush: the reserve LUF keeps so that it never needs a shootdown.  Others,
 * reclaim's and migration's own included, may take parked frames after a
 * flush (process context can send IPIs, as LUF's takeoff allows). */
static bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			      unsigned int gfp)
{
	long free = READ_ONCE(z->free_pages);

	if (!(gfp & GFP_ATOMIC))
		free += luf_node_parked(z->nid);
	return free - (1L << order) >= (long)mark;
}

static bool node_allowed(const unsigned long *nodemask, int n)
{
	return !nodemask || (*nodemask >> n & 1);
}

/* get_page_from_freelist: the preferred node, then the others in order
 * (those in @nodemask only: a memory policy's MPOL_BIND), each only while
 * it stays above @which watermark (0 min, 1 low). */
static struct page *get_page_from_freelist(int nid, unsigned int order, unsigned int gfp,
					   int which, const unsigned long *nodemask)
{
	for (unsigned int k = 0; k < ((gfp & GFP_THISNODE) ? 1 : phys.nr_nodes); k++) {
		int n = (nid + k) % phys.nr_nodes;
		struct zone *z = &zones[n];
		struct pglist_data *pgdat = NODE_DATA(n);
		unsigned long mark = which ? pgdat->watermark_low : pgdat->watermark_min;
		struct page *p;

		if (!node_allowed(nodemask, n))
			continue;
		if (!(gfp & GFP_NOWMARK) && !zone_watermark_ok(z, order, mark, gfp))
			continue;
		/* LUF keeps about the min watermark of frames that need no
		 * flush, for allocations that cannot send one: below it, an
		 * allocation that can flushes the parked frames back first */
		if (!(gfp & GFP_ATOMIC) && luf_node_parked(n) &&
		    READ_ONCE(z->free_pages) - (1L << order) < (long)pgdat->watermark_min)
			luf_release_parked();
		for (int pass = 0; pass < 2; pass++) {
			if (order == 0) {
				p = rmqueue_pcp(z);
			} else {
				spin_lock(&z->lock);
				p = __rmqueue(z, order);
				spin_unlock(&z->lock);
			}
			/* the free lists ran dry but frames are parked: flush */
			if (p || (gfp & GFP_ATOMIC) || !luf_node_parked(z->nid) ||
			    !luf_release_parked())
				break;
		}
		if (p) {
			prep_new_page(p, order, gfp);
			return p;
		}
	}
	return NULL;
}

#define MAX_RECLAIM_RETRIES	16

struct page *alloc_pages_node(int nid, unsigned int order, unsigned int gfp)
{
	return __alloc_pages(nid, order, gfp, NULL);
}

/*
 * __alloc_pages: the fast path at the low watermark, LUF's parked frames,
 * then the slow path (kswapd, the min watermark, direct reclaim).  A
 * @nodemask that leaves out @nid starts at the next node it allows (the
 * nearest in the kernel's zonelist order), and reclaim works there.
 */
struct page *__alloc_pages(int nid, unsigned int order, unsigned int gfp,
			   const unsigned long *nodemask)
{
	struct page *p;
	int no_progress = 0;
	bool drained = false;

	if (order > MAX_ORDER)
		return NULL;
	if (nid < 0 || nid >= (int)phys.nr_nodes)
		nid = 0;
	for (unsigned int k = 0; k < phys.nr_nodes && !node_allowed(nodemask, nid); k++)
		nid = (nid + 1) % (int)phys.nr_nodes;
	if (!node_allowed(nodemask, nid))
		return NULL;
	p = get_page_from_freelist(nid, order, gfp, 1, nodemask);
	if (likely(p))
		return p;
	/* LUF: parked frames come back after one flush, before reclaim (not
	 * for allocations that cannot wait: they never count parked frames) */
	if (!(gfp & GFP_ATOMIC) && luf_release_parked()) {
		p = get_page_from_freelist(nid, order, gfp, 1, nodemask);
		if (p)
			return p;
	}
	/* slow path: wake kswapd, dip to the min watermark, reclaim */
	for (unsigned int k = 0; k < phys.nr_nodes; k++)
		wakeup_kswapd(k);
	for (unsigned int loops = 0;; loops++) {
		p = get_page_from_freelist(nid, order, gfp, 0, nodemask);
		if (p || (gfp & (GFP_NORECLAIM | GFP_ATOMIC)))
			return p;
		/*
		 * Reclaim's frames may have been parked by LUF (they do not count
		 * toward the watermark): take them back before reclaiming more.
		 * Progress that others keep taking is bounded too (the kernel's
		 * OOM killer would end it; the model fails the allocation).
		 */
		if (loops > 64 * MAX_RECLAIM_RETRIES)
			break;
		if (luf_release_parked())
			continue;
		if (try_to_free_pages(nid, 1UL << order) == 0) {
			/* free pages may sit on other CPUs' lists */
			if (!drained) {
				drain_all_pages();
				drained = true;
				continue;
			}
			if (++no_progress > MAX_RECLAIM_RETRIES)
				break;
		}
	}
	/* nothing left to reclaim: the reserves, then a clean failure (the
	 * model has no OOM killer: the caller returns -ENOMEM) */
	return get_page_from_freelist(nid, order, gfp | GFP_NOWMARK, 0, nodemask);
}

static void free_pages_prepare(struct page *p, unsigned int order)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page *q = p + i;

		VM_BUG_ON(atomic_read(&q->_mapcount) != -1);
		VM_BUG_ON(PageReserved(q));
		/* freeing a free page: a double free */
		VM_BUG_ON(test_page_flag(q, PG_pcp) || test_page_flag(q, PG_buddy));
		VM_BUG_ON(i == 0 && atomic_read(&q->_refcount) != 0 && !PageTable(q));
		__atomic_fetch_add(&q->gen, 1, __ATOMIC_RELEASE);
		luf_trace(LUF_EV_PAGE, page_to_pfn(q), 0, 0, 0, "freed", NULL);
		__atomic_fetch_and(&q->flags, 7UL << NODE_SHIFT, __ATOMIC_RELAXED);
		q->mapping = NULL;
	}
	count_vm_events(PGFREE, 1L << order);
}

void __free_pages(struct page *p, unsigned int order)
{
	struct zone *z = page_zone(p);

	free_pages_prepare(p, order);
	if (order == 0 && luf_park(p))
		return;
	spin_lock(&z->lock);
	__free_one_page(z, p, order);
	spin_unlock(&z->lock);
}

void free_unref_page(struct page *p)
{
	struct zone *z = page_zone(p);
	struct per_cpu_pages *pcp = this_pcp(z->nid);

	if (!pcp) {
		__free_pages(p, 0);
		return;
	}
	free_pages_prepare(p, 0);
	if (luf_park(p))
		return;
	local_irq_disable();
	set_page_flag(p, PG_pcp);
	list_add(&p->lru, &pcp->list);
	if (++pcp->count >= pcp->high) {
		spin_lock(&z->lock);
		for (int i = 0; i < pcp->batch; i++) {
			struct page *q = list_entry(pcp->list.prev, struct page, lru);

			list_del(&q->lru);
			clear_page_flag(q, PG_pcp);
			__free_one_page(z, q, 0);
			pcp->count--;
		}
		spin_unlock(&z->lock);
	}
	local_irq_enable();
}

/* The last reference went: off the LRU, drop the anon_vma, free. */
static void __folio_put(struct page *p)
{
	if (test_page_flag(p, PG_lru))
		lru_note_free(p);
	mlock_clear_on_free(p);
	VM_BUG_ON(PageSwapCache(p));
	if (PageAnon(p) && p->mapping)
		anon_vma_put(p->mapping);
	p->mapping = NULL;
	if (folio_test_large(p)) {
		unsigned int order = folio_order(p);

		folio_undo_large_rmappable(p);
		__free_pages(p, order);
		return;
	}
	free_unref_page(p);
}

/* LUF: a parked frame, flushed now, joins the free lists. */
void luf_free_parked(struct page *p)
{
	struct zone *z = page_zone(p);

	spin_lock(&z->lock);
	__free_one_page(z, p, 0);
	spin_unlock(&z->lock);
}

void put_page(struct page *p)
{
	int r;

	p = compound_head(p);
	r = atomic_dec_return(&p->_refcount);

	VM_BUG_ON(r < 0);
	if (r == 0)
		__folio_put(p);
}

/* folio_put_refs: drop @refs references of the folio at once (unpin). */
void folio_put_refs(struct page *folio, int refs)
{
	int r = atomic_sub_return(&folio->_refcount, refs);

	VM_BUG_ON(r < 0);
	if (r == 0)
		__folio_put(folio);
}

void drain_local_pages(struct cpu *c)
{
	bool self = c == this_cpu();

	if (self)
		local_irq_disable();
	for (unsigned int n = 0; n < phys.nr_nodes; n++) {
		struct per_cpu_pages *pcp = &pcp_mem[c->id * MAX_NUMNODES + n];
		struct zone *z = &zones[n];

		spin_lock(&z->lock);
		while (!list_empty(&pcp->list)) {
			struct page *q = list_first_entry(&pcp->list, struct page, lru);

			list_del(&q->lru);
			clear_page_flag(q, PG_pcp);
			__free_one_page(z, q, 0);
		}
		pcp->count = 0;
		spin_unlock(&z->lock);
	}
	if (self)
		local_irq_enable();
}

static void drain_pages_ipi(struct cpu *c, void *info)
{
	(void)info;
	drain_local_pages(c);
}

/* Every CPU gives its per-CPU free pages back to the buddy lists (the
 * kernel queues work on each CPU; here each CPU runs it in an IPI). */
void drain_all_pages(void)
{
	struct cpu *self = this_cpu();
	cpumask_t all = nr_cpu_ids >= 64 ? ~0ULL : (1ULL << nr_cpu_ids) - 1;

	if (self)
		drain_local_pages(self);
	smp_call_function_many(all, drain_pages_ipi, NULL);
}

/* Teardown only: no CPU is in use. */
void drain_all_pages_quiet(void)
{
	for (unsigned int c = 0; c < nr_cpu_ids; c++)
		drain_local_pages(&cpus[c]);
}

unsigned long nr_free_pages(void)
{
	long n = 0;

	for (unsigned int i = 0; i < phys.nr_nodes; i++)
		n += READ_ONCE(zones[i].free_pages);
	return n;
}

int page_alloc_init(void)
{
	pcp_mem = calloc((size_t)nr_cpu_ids * MAX_NUMNODES, sizeof(*pcp_mem));
	if (!pcp_mem)
		return -ENOMEM;
	for (unsigned int c = 0; c < nr_cpu_ids; c++) {
		for (unsigned int n = 0; n < MAX_NUMNODES; n++) {
			struct per_cpu_pages *pcp = &pcp_mem[c * MAX_NUMNODES + n];

			INIT_LIST_HEAD(&pcp->list);
			pcp->batch = 63;
			pcp->high = 6 * 63;
		}
		cpus[c].pcp = &pcp_mem[c * MAX_NUMNODES];
	}
	for (unsigned int n = 0; n < phys.nr_nodes; n++) {
		struct zone *z = &zones[n];

		memset(z, 0, sizeof(*z));
		spin_lock_init(&z->lock);
		z->nid = n;
		z->start_pfn = phys.node[n].start_pfn;
		z->nr_frames = phys.node[n].nr_frames;
		for (int o = 0; o <= MAX_ORDER; o++)
			INIT_LIST_HEAD(&z->free_area[o].free_list);
		for (unsigned long i = 0; i < z->nr_frames; i++)
			set_page_flag(pfn_to_page(z->start_pfn + i), PG_zeroed);
		for (unsigned long pfn = 0; pfn < z->nr_frames; pfn += 1UL << MAX_ORDER)
			__free_one_page(z, pfn_to_page(z->start_pfn + pfn), MAX_ORDER);
	}
	return 0;
}

void page_alloc_exit(void)
{
	free(pcp_mem);
	pcp_mem = NULL;
}
