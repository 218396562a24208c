/*
 * luf.c - LUF, lazy unmap flush (seed 1, Byungchul Park's series, not
 * upstream): when reclaim or migration unmaps a folio whose mappings were
 * all read-only, its TLB flush is skipped; the folio is tagged with a
 * generation (luf_key, from the global luf_ugen) and, once freed, parked
 * apart from the free lists.  The flush is paid when a parked frame is
 * handed out again (page allocator), when a fault is about to install a
 * writable PTE in an mm with a pending lazy flush, and on every path that
 * could otherwise leave a stale entry behind (munmap, mprotect and madvise
 * zaps through tlb_finish_mmu, and context switch) - Dave Hansen's munmap
 * problem of seed 1.
 *
 * Who must flush: each CPU records the newest generation it may still hold
 * an entry for (need) and the newest it has flushed (done); a flush
 * interrupts only the CPUs with need > done.
 *
 * /sys/kernel/mm/mmlab/luf/enabled (0 by default, as upstream) switches it
 * on; luf/unsafe_skip_munmap_flush (a deliberate bug, for tests) skips the
 * enforcement in munmap and mprotect.
 *
 * Locks: luf_lock guards the parked lists; the generations are atomics.
 * luf_keys[] (one per frame) is written by the thread that owns the folio
 * (locked for unmap, or being freed / allocated).
 */
#include <stdlib.h>
#include "swap.h"

static uint32_t *luf_keys;		/* per frame: pending generation, 0 none */
static uint32_t luf_ugen = 2;		/* atomic: starts at 2, as v12 */
static uint32_t cpu_need[NR_CPUS], cpu_done[NR_CPUS];	/* atomics */
static spinlock_t luf_lock;
static struct list_head parked[MAX_NUMNODES];
static unsigned long nr_parked;
static long node_parked[MAX_NUMNODES];		/* atomic */

#define LUF_TTU_MMS	16
static __thread struct {
	cpumask_t mask;
	bool ok, any;
	unsigned int nr_mms;
	struct mm_struct *mms[LUF_TTU_MMS];	/* the mms this folio was in */
} ttu;

int luf_init(void)
{
	free(luf_keys);
	luf_keys = calloc(phys.nr_frames, sizeof(*luf_keys));
	if (!luf_keys)
		return -ENOMEM;
	luf_ugen = 2;
	memset(cpu_need, 0, sizeof(cpu_need));
	memset(cpu_done, 0, sizeof(cpu_done));
	spin_lock_init(&luf_lock);
	for (int n = 0; n < MAX_NUMNODES; n++)
		INIT_LIST_HEAD(&parked[n]);
	nr_parked = 0;
	memset(node_parked, 0, sizeof(node_parked));
	return 0;
}

/* Parked frames of a node: free memory the allocator gets after a flush. */
long luf_node_parked(int nid)
{
	return atomic_read(&node_parked[nid]);
}

void luf_exit(void)
{
	free(luf_keys);
	luf_keys = NULL;
}

static inline bool luf_enabled(void)
{
	return READ_ONCE(knobs.luf_enabled) && luf_keys;
}

/* Wraparound-safe "a is newer than b". */
static inline bool ugen_after(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

/* Some CPU that may hold an entry of generation @key has not flushed since. */
static bool key_unflushed(uint32_t key)
{
	for (unsigned int c = 0; c < nr_cpu_ids; c++) {
		uint32_t need = __atomic_load_n(&cpu_need[c], __ATOMIC_ACQUIRE);
		uint32_t done = __atomic_load_n(&cpu_done[c], __ATOMIC_ACQUIRE);

		if (!ugen_after(key, need) && ugen_after(key, done))
			return true;
	}
	return false;
}

bool luf_page_pending(unsigned long pfn)
{
	uint32_t key = luf_keys ? __atomic_load_n(&luf_keys[pfn], __ATOMIC_ACQUIRE) : 0;

	return key && key_unflushed(key);
}

/* ---- try_to_unmap's side ---- */

void luf_ttu_begin(void)
{
	ttu.mask = 0;
	ttu.ok = luf_enabled();
	ttu.any = false;
	ttu.nr_mms = 0;
}

/* A PTE was just cleared (with the flush to come): may LUF take it? */
bool luf_ttu_pte(struct mm_struct *mm, pteval_t old)
{
	if (!ttu.ok || !pte_hw_present(old))
		return false;
	if (pte_write_bit(old) || pte_dirty(old)) {
		ttu.ok = false;		/* a writable mapping: flush the folio now */
		return false;
	}
	ttu.mask |= __atomic_load_n(&mm->cpumask, __ATOMIC_SEQ_CST);
	ttu.any = true;
	ttu.mms[ttu.nr_mms < LUF_TTU_MMS ? ttu.nr_mms++ : LUF_TTU_MMS - 1] = mm;
	return true;
}

/* The folio's mappings are gone: tag it, or fall back to the batch flush
 * for the PTEs LUF took before a writable one turned up. */
void luf_ttu_end(struct page *folio)
{
	uint32_t key;

	if (!ttu.any)
		return;
	if (!ttu.ok) {
		tlb_ubc_add(ttu.mask);
		return;
	}
	key = __atomic_add_fetch(&luf_ugen, 1, __ATOMIC_SEQ_CST);
	for (unsigned int c = 0; c < nr_cpu_ids; c++) {
		if (!(ttu.mask & (1ULL << c)))
			continue;
		uint32_t need = __atomic_load_n(&cpu_need[c], __ATOMIC_RELAXED);

		while (ugen_after(key, need) &&
		       !__atomic_compare_exchange_n(&cpu_need[c], &need, key, false,
						    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			;
	}
	__atomic_store_n(&luf_keys[page_to_pfn(folio)], key, __ATOMIC_RELEASE);
	/* each mm remembers its newest lazy flush and which CPUs owe it */
	for (unsigned int i = 0; i < ttu.nr_mms; i++) {
		struct mm_struct *mm = ttu.mms[i];
		uint32_t g = __atomic_load_n(&mm->luf_gen, __ATOMIC_RELAXED);

		__atomic_fetch_or(&mm->luf_mask, ttu.mask, __ATOMIC_SEQ_CST);
		while (ugen_after(key, g) &&
		       !__atomic_compare_exchange_n(&mm->luf_gen, &g, key, false,
						    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			;
	}
	count_vm_event(MMLAB_LUF_DEFERRED);
}

/* ---- the flush ---- */

static void luf_flush_func(struct cpu *c, void *info)
{
	uint32_t gen = (uint32_t)(uintptr_t)info;
	uint32_t done = __atomic_load_n(&cpu_done[c->id], __ATOMIC_RELAXED);

	if (c != this_cpu())
		count_vm_event(NR_TLB_REMOTE_FLUSH_RECEIVED);
	tlb_flush_all(&c->tlb);
	cpu_charge(c, COST_FLUSH_ALL);
	while (ugen_after(gen, done) &&
	       !__atomic_compare_exchange_n(&cpu_done[c->id], &done, gen, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
}

/* Flush the CPUs of @mask that may still hold a lazily unmapped entry of
 * generation @upto or older (all of them: ~0, 0).  Returns the number of
 * CPUs interrupted. */
static unsigned int luf_flush_cpus(cpumask_t mask, uint32_t upto, enum vm_event_item why)
{
	uint32_t gen = __atomic_load_n(&luf_ugen, __ATOMIC_SEQ_CST);
	struct cpu *self = this_cpu();
	cpumask_t targets = 0;
	unsigned int n;

	for (unsigned int c = 0; c < nr_cpu_ids; c++) {
		uint32_t need = __atomic_load_n(&cpu_need[c], __ATOMIC_ACQUIRE);
		uint32_t done = __atomic_load_n(&cpu_done[c], __ATOMIC_ACQUIRE);

		if (!(mask & (1ULL << c)) || !ugen_after(need, done))
			continue;
		/* a CPU flushed past @upto owes nothing to this caller */
		if (upto && !ugen_after(upto, done))
			continue;
		targets |= 1ULL << c;
	}
	if (!targets)
		return 0;
	if (self && (targets & (1ULL << self->id))) {
		luf_flush_func(self, (void *)(uintptr_t)gen);
		count_vm_event(NR_TLB_LOCAL_FLUSH_ALL);
		targets &= ~(1ULL << self->id);
	}
	if (!targets)
		return 0;
	count_vm_event(NR_TLB_REMOTE_FLUSH);
	n = smp_call_function_many(targets, luf_flush_func, (void *)(uintptr_t)gen);
	count_vm_events(why, n);
	return n;
}

static unsigned int luf_flush(enum vm_event_item why)
{
	return luf_flush_cpus(~0ULL, 0, why);
}

/* Paths that could expose a stale entry of @mm flush first (luf_flush_mm):
 * only the CPUs that have not flushed since this mm's newest lazy unmap. */
void luf_flush_mm(struct mm_struct *mm)
{
	uint32_t gen = __atomic_load_n(&mm->luf_gen, __ATOMIC_ACQUIRE);

	if (!gen)
		return;
	luf_flush_cpus(__atomic_load_n(&mm->luf_mask, __ATOMIC_ACQUIRE), gen,
		       MMLAB_LUF_MM_FLUSH_IPIS);
}

/* Context switch: this CPU catches up with lazy flushes it may owe. */
void luf_switch_mm(struct cpu *c)
{
	if (!luf_keys || !ugen_after(__atomic_load_n(&cpu_need[c->id], __ATOMIC_ACQUIRE),
				     __atomic_load_n(&cpu_done[c->id], __ATOMIC_ACQUIRE)))
		return;
	luf_flush_func(c, (void *)(uintptr_t)__atomic_load_n(&luf_ugen, __ATOMIC_SEQ_CST));
}

/* ---- the allocator's side ---- */

/* A freed frame with a pending lazy flush is parked, not freed. */
bool luf_park(struct page *p)
{
	int nid = page_to_nid(p);

	if (!luf_keys || !__atomic_load_n(&luf_keys[page_to_pfn(p)], __ATOMIC_ACQUIRE))
		return false;
	if (!luf_page_pending(page_to_pfn(p))) {
		/* every CPU flushed since: an ordinary free */
		__atomic_store_n(&luf_keys[page_to_pfn(p)], 0, __ATOMIC_RELEASE);
		return false;
	}
	spin_lock(&luf_lock);
	list_add_tail(&p->lru, &parked[nid]);
	WRITE_ONCE(nr_parked, nr_parked + 1);
	atomic_inc(&node_parked[nid]);
	spin_unlock(&luf_lock);
	count_vm_event(MMLAB_LUF_PARKED);
	return true;
}

/*
 * The allocator needs the parked frames: one flush for all of them, then
 * they go to the free lists.  Called when the free lists run low, so that
 * the frames the allocator normally hands out need no shootdown (the
 * reserve v12 keeps).  Returns the number of frames released.
 */
unsigned long luf_release_parked(void)
{
	LIST_HEAD_ON_STACK(list);
	unsigned long n = 0;

	if (!luf_keys || !READ_ONCE(nr_parked))
		return 0;
	luf_flush(MMLAB_LUF_ALLOC_FLUSH_IPIS);
	spin_lock(&luf_lock);
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		list_splice_init(&parked[nid], &list);
		atomic_set(&node_parked[nid], 0);
	}
	WRITE_ONCE(nr_parked, 0);
	spin_unlock(&luf_lock);
	while (!list_empty(&list)) {
		struct page *p = list_first_entry(&list, struct page, lru);

		list_del(&p->lru);
		__atomic_store_n(&luf_keys[page_to_pfn(p)], 0, __ATOMIC_RELEASE);
		luf_free_parked(p);
		n++;
	}
	return n;
}

unsigned long luf_nr_parked(void)
{
	return READ_ONCE(nr_parked);
}
