/*
 * luf.c - LUF, lazy unmap flush (Byungchul Park's series, v12, not
 * upstream): when reclaim or migration unmaps a folio whose mappings were
 * all read-only, its TLB flush is skipped; the folio is tagged with a
 * generation (luf_key, from the global luf_ugen) and, once freed, parked
 * apart from the free lists.  The flush is paid when a parked frame is
 * handed out again (page allocator), when a fault is about to install a
 * writable PTE in an mm with a pending lazy flush, and on every path that
 * could otherwise leave a stale entry behind (munmap, mprotect and madvise
 * zaps through tlb_finish_mmu, and context switch) - Dave Hansen's munmap
 * problem in the series' review.
 *
 * Who must flush: each CPU records the newest generation it may still hold
 * an entry for (need) and the newest it has flushed (done); a flush
 * interrupts only the CPUs with need > done.
 *
 * When: the generation is taken when the PTE is cleared, under its PTE
 * lock (as set_tlb_ubc_flush_pending raises mm->tlb_flush_batched there):
 * need of the mm's CPUs, the mm's and the VMA's newest generation and the
 * frame's key are raised to luf_ugen + 1 before the lock is dropped.  So a
 * zap that takes the lock afterwards and finds pte_none still sees the
 * pending flush in tlb_finish_mmu, and the detector sees the frame's key at
 * once.  A flush takes a new generation (luf_ugen + 1) after its targets
 * stopped being able to load the cleared PTEs: done >= g proves a flush
 * after every PTE cleared under generation g.
 *
 * Write faults (the costly enforcement): a PTE made writable needs a flush
 * only if some CPU may still read an older copy of that page through a
 * lazily unmapped entry: the VMA's newest lazy unmap (the same addresses:
 * refaults, CoW and discarded pages) or the frame's copy key (its data was
 * migrated from, or swapped in from, a lazily unmapped frame: the file's
 * other mappings).  Only CPUs not flushed past that generation are
 * interrupted.
 *
 * /sys/kernel/mm/mmlab/luf/enabled (0 by default, as upstream) switches it
 * on; luf/unsafe_skip_munmap_flush (a deliberate bug, for tests) skips the
 * enforcement in munmap and mprotect.
 *
 * Locks: luf_lock guards the parked lists; the generations are atomics.
 * luf_keys[] (one per frame) is written by the thread that owns the folio
 * (locked for unmap, or being freed / allocated).
 */
#include <stdio.h>
#include <stdlib.h>
#include "swap.h"

static uint32_t *luf_keys;		/* per frame: pending generation, 0 none */
static uint32_t *luf_copy;		/* per frame: its data's older copies */
#define LUF_SLOT_HASH	4096
static uint32_t luf_slot[LUF_SLOT_HASH];	/* per swap slot (hashed): the same */
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
	uint32_t old_key;			/* the frame's key before this unmap */
	unsigned int nr_mms;
	struct mm_struct *mms[LUF_TTU_MMS];	/* the mms LUF took PTEs of, once each */
} ttu;

int luf_init(void)
{
	free(luf_keys);
	free(luf_copy);
	luf_keys = calloc(phys.nr_frames, sizeof(*luf_keys));
	luf_copy = calloc(phys.nr_frames, sizeof(*luf_copy));
	if (!luf_keys || !luf_copy) {
		luf_exit();
		return -ENOMEM;
	}
	memset(luf_slot, 0, sizeof(luf_slot));
	luf_ugen = 2;
	luf_trace_init();
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
	free(luf_copy);
	luf_keys = NULL;
	luf_copy = NULL;
}

static inline bool luf_enabled(void)
{
	return READ_ONCE(knobs.luf_enabled) && luf_keys;
}

/* Wraparound-safe "a is newer than b". */
static inline bool ugen_after(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

/* Raise an atomic generation to @g (never lower it). */
static void ugen_raise(uint32_t *p, uint32_t g)
{
	uint32_t cur = __atomic_load_n(p, __ATOMIC_RELAXED);

	while ((!cur || ugen_after(g, cur)) &&
	       !__atomic_compare_exchange_n(p, &cur, g, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_RELAXED))
		;
}

/* The newer of two generations (0: none). */
static uint32_t ugen_max(uint32_t a, uint32_t b)
{
	return !a ? b : !b ? a : ugen_after(a, b) ? a : b;
}

/* VMA @b merges into @a: @a now answers for @b's lazily unmapped entries
 * too, or a later munmap of the merged range would not flush them. */
void luf_vma_merge(struct vm_area_struct *a, struct vm_area_struct *b)
{
	uint32_t g = __atomic_load_n(&b->luf_gen, __ATOMIC_ACQUIRE);

	if (g)
		ugen_raise(&a->luf_gen, g);
}

/* Some CPU may still hold a lazily unmapped entry of generation @key or
 * older: it owes a flush (need > done) and has not flushed past @key. */
static bool key_unflushed(uint32_t key)
{
	for (unsigned int c = 0; c < nr_cpu_ids; c++) {
		uint32_t need = __atomic_load_n(&cpu_need[c], __ATOMIC_ACQUIRE);
		uint32_t done = __atomic_load_n(&cpu_done[c], __ATOMIC_ACQUIRE);

		if (ugen_after(need, done) && ugen_after(key, done))
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
	ttu.old_key = 0;
	ttu.nr_mms = 0;
}

/* Remember @mm as one this folio's lazy unmap took PTEs of; false when
 * the list is full and @mm is not on it. */
static bool ttu_note_mm(struct mm_struct *mm)
{
	for (unsigned int i = 0; i < ttu.nr_mms; i++)
		if (ttu.mms[i] == mm)
			return true;
	if (ttu.nr_mms == LUF_TTU_MMS)
		return false;
	ttu.mms[ttu.nr_mms++] = mm;
	return true;
}

/*
 * A PTE of @folio in @v was just cleared (with the flush to come), under
 * its PTE lock, still held: may LUF take it?  If so everything a later
 * reader of this page table needs is published before the lock is dropped.
 */
bool luf_ttu_pte(struct vm_area_struct *v, struct page *folio, unsigned long addr,
		 pteval_t old)
{
	struct mm_struct *mm = v->vm_mm;
	unsigned long pfn = page_to_pfn(folio);
	cpumask_t mask;
	uint32_t g;

	if (!ttu.ok || !pte_hw_present(old))
		return false;
	if (pte_write_bit(old) || pte_dirty(old)) {
		ttu.ok = false;		/* a writable mapping: flush the folio now */
		return false;
	}
	/* an mm the list has no room for could not be handed back to the
	 * batched flush if LUF gave up later: this PTE and the rest of the
	 * folio's go to the batched flush now */
	if (!ttu_note_mm(mm)) {
		ttu.ok = false;
		return false;
	}
	/* the generation of a PTE already cleared: a flush that takes this
	 * one or a newer one starts after the clear */
	g = __atomic_load_n(&luf_ugen, __ATOMIC_SEQ_CST) + 1;
	/* the mm's generation before its cpumask is read: a CPU that switched
	 * away keeps the mm's entries under its PCID but left the mask; when
	 * it switches back it publishes its bit, then reads luf_gen, so it is
	 * either in @mask or sees @g (and flushes that PCID, switch_mm) */
	ugen_raise(&mm->luf_gen, g);
	mask = __atomic_load_n(&mm->cpumask, __ATOMIC_SEQ_CST);
	for (unsigned int c = 0; c < nr_cpu_ids; c++)
		if (mask & (1ULL << c))
			ugen_raise(&cpu_need[c], g);
	__atomic_fetch_or(&mm->luf_mask, mask, __ATOMIC_SEQ_CST);
	ugen_raise(&v->luf_gen, g);
	if (!ttu.any)
		ttu.old_key = __atomic_load_n(&luf_keys[pfn], __ATOMIC_ACQUIRE);
	ugen_raise(&luf_keys[pfn], g);
	luf_trace(LUF_EV_TTU, pfn, addr, g, mask, mm, v);
	ttu.mask |= mask;
	ttu.any = true;
	return true;
}

/* The folio's mappings are gone: it stays tagged, or, when a writable
 * mapping turned up after LUF took some PTEs, those fall back to the
 * batched flush (counted as pending in their mms first, for the detector). */
void luf_ttu_end(struct page *folio)
{
	if (!ttu.any)
		return;
	if (!ttu.ok) {
		for (unsigned int i = 0; i < ttu.nr_mms; i++)
			tlb_ubc_add_mm(ttu.mms[i]);
		tlb_ubc_add(ttu.mask);
		__atomic_store_n(&luf_keys[page_to_pfn(folio)], ttu.old_key, __ATOMIC_RELEASE);
		luf_trace(LUF_EV_KEY, page_to_pfn(folio), ttu.old_key, 0, 0, "ttu gave up", NULL);
		return;
	}
	count_vm_event(MMLAB_LUF_DEFERRED);
}

/* ---- the flush ---- */

static void luf_flush_func(struct cpu *c, void *info)
{
	uint32_t gen = (uint32_t)(uintptr_t)info;
	uint32_t done = __atomic_load_n(&cpu_done[c->id], __ATOMIC_RELAXED);

	tlb_flush_all(&c->tlb);
	cpu_charge(c, COST_FLUSH_ALL);
	while (ugen_after(gen, done) &&
	       !__atomic_compare_exchange_n(&cpu_done[c->id], &done, gen, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
}

/* The IPI handler: counted by the target's own flag, as flush_tlb_func's
 * callers do (this_cpu() is the target too when the sender runs an idle
 * target's interrupt for it, which left such IPIs uncounted). */
static void luf_flush_remote(struct cpu *c, void *info)
{
	count_vm_event(NR_TLB_REMOTE_FLUSH_RECEIVED);
	luf_flush_func(c, info);
}

/* Flush the CPUs of @mask that may still hold a lazily unmapped entry of
 * generation @upto or older (all of them: ~0, 0).  Returns the number of
 * CPUs interrupted. */
static unsigned int luf_flush_cpus(cpumask_t mask, uint32_t upto, enum vm_event_item why)
{
	struct cpu *self = this_cpu();
	cpumask_t targets = 0;
	unsigned int n;
	uint32_t gen;

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
	/* every PTE cleared under an older generation is gone by now */
	gen = __atomic_add_fetch(&luf_ugen, 1, __ATOMIC_SEQ_CST);
	luf_trace(LUF_EV_FLUSH, gen, targets, upto, why, NULL, NULL);
	if (self && (targets & (1ULL << self->id))) {
		luf_flush_func(self, (void *)(uintptr_t)gen);
		count_vm_event(NR_TLB_LOCAL_FLUSH_ALL);
		targets &= ~(1ULL << self->id);
	}
	if (!targets)
		return 0;
	count_vm_event(NR_TLB_REMOTE_FLUSH);
	n = smp_call_function_many(targets, luf_flush_remote, (void *)(uintptr_t)gen);
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

/* A zap or protection change of @v: its lazily unmapped entries must go
 * before tlb_finish_mmu returns.  Called after the VMA's PTE locks. */
void luf_tlb_vma(struct mmu_gather *tlb, struct vm_area_struct *v)
{
	uint32_t g = __atomic_load_n(&v->luf_gen, __ATOMIC_ACQUIRE);

	tlb->luf_gen = ugen_max(tlb->luf_gen, g);
	luf_trace(LUF_EV_TLB_VMA, v->vm_start, v->vm_end, g, 0, v->vm_mm, v);
}

/* tlb_finish_mmu: the CPUs of the mm not flushed since the newest lazy
 * unmap of the VMAs changed (a whole address space: the mm's newest). */
void luf_flush_gather(struct mmu_gather *tlb)
{
	if (tlb->fullmm) {
		luf_flush_mm(tlb->mm);
		return;
	}
	if (tlb->luf_gen)
		luf_flush_cpus(__atomic_load_n(&tlb->mm->luf_mask, __ATOMIC_ACQUIRE),
			       tlb->luf_gen, MMLAB_LUF_MM_FLUSH_IPIS);
}

/* Context switch: this CPU catches up with lazy flushes it may owe. */
void luf_switch_mm(struct cpu *c)
{
	if (!luf_keys || !ugen_after(__atomic_load_n(&cpu_need[c->id], __ATOMIC_ACQUIRE),
				     __atomic_load_n(&cpu_done[c->id], __ATOMIC_ACQUIRE)))
		return;
	uint32_t gen = __atomic_add_fetch(&luf_ugen, 1, __ATOMIC_SEQ_CST);

	luf_trace(LUF_EV_FLUSH, gen, 1ULL << c->id, 0, 0, NULL, NULL);
	luf_flush_func(c, (void *)(uintptr_t)gen);
}

/*
 * A PTE of @v is about to become writable over @page (NULL: a new page),
 * under its PTE lock: the writes must not be hidden from a CPU that still
 * reads an older copy of the page through a lazily unmapped entry.
 */
void luf_flush_write(struct vm_area_struct *v, struct page *page)
{
	uint32_t key;

	if (!luf_keys)
		return;
	key = __atomic_load_n(&v->luf_gen, __ATOMIC_ACQUIRE);
	if (page)
		key = ugen_max(key, __atomic_load_n(&luf_copy[page_to_pfn(page)],
						    __ATOMIC_ACQUIRE));
	if (key)	/* counted as an mm flush, and apart as a write flush */
		count_vm_events(MMLAB_LUF_WRITE_FLUSH_IPIS,
				luf_flush_cpus(~0ULL, key, MMLAB_LUF_MM_FLUSH_IPIS));
}

/* The newest lazily unmapped copy of the data in frame @pfn, itself included. */
static uint32_t frame_copy_key(unsigned long pfn)
{
	return ugen_max(__atomic_load_n(&luf_keys[pfn], __ATOMIC_ACQUIRE),
			__atomic_load_n(&luf_copy[pfn], __ATOMIC_ACQUIRE));
}

/* Migration copied @src into @dst: dst's data has src's stale copies. */
void luf_copy_page(struct page *dst, struct page *src)
{
	uint32_t key;

	if (!luf_keys || !(key = frame_copy_key(page_to_pfn(src))))
		return;
	ugen_raise(&luf_copy[page_to_pfn(dst)], key);
}

static unsigned int slot_hash(swp_entry_t e)
{
	return (unsigned int)((e.val * 0x9e3779b97f4a7c15ULL) >> 52) & (LUF_SLOT_HASH - 1);
}

/* @folio leaves the swap cache (its data stays in slot @e). */
void luf_swap_out(struct page *folio, swp_entry_t e)
{
	uint32_t key;

	if (!luf_keys || !(key = frame_copy_key(page_to_pfn(folio))))
		return;
	ugen_raise(&luf_slot[slot_hash(e)], key);
}

/* @folio is read in from slot @e: a copy of what the slot's frame held. */
void luf_swap_in(struct page *folio, swp_entry_t e)
{
	uint32_t key;

	if (!luf_keys || !(key = __atomic_load_n(&luf_slot[slot_hash(e)], __ATOMIC_ACQUIRE)))
		return;
	ugen_raise(&luf_copy[page_to_pfn(folio)], key);
}

/* A frame handed out again: no copy of anything yet. */
void luf_prep_new(struct page *p, unsigned int order)
{
	if (!luf_copy)
		return;
	for (unsigned long i = 0; i < (1UL << order); i++)
		__atomic_store_n(&luf_copy[page_to_pfn(p) + i], 0, __ATOMIC_RELAXED);
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
		luf_trace(LUF_EV_KEY, page_to_pfn(p), 0, 0, 0, "freed, flushed", NULL);
		return false;
	}
	spin_lock(&luf_lock);
	list_add_tail(&p->lru, &parked[nid]);
	WRITE_ONCE(nr_parked, nr_parked + 1);
	atomic_inc(&node_parked[nid]);
	spin_unlock(&luf_lock);
	luf_trace(LUF_EV_KEY, page_to_pfn(p), luf_keys[page_to_pfn(p)], 0, 0, "parked", NULL);
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
	/* take the frames, then flush: a frame parked after the flush chose
	 * its targets would otherwise come out without its flush */
	spin_lock(&luf_lock);
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		list_splice_init(&parked[nid], &list);
		atomic_set(&node_parked[nid], 0);
	}
	WRITE_ONCE(nr_parked, 0);
	spin_unlock(&luf_lock);
	if (list_empty(&list))
		return 0;
	luf_flush(MMLAB_LUF_ALLOC_FLUSH_IPIS);
	while (!list_empty(&list)) {
		struct page *p = list_first_entry(&list, struct page, lru);

		list_del(&p->lru);
		__atomic_store_n(&luf_keys[page_to_pfn(p)], 0, __ATOMIC_RELEASE);
		luf_trace(LUF_EV_KEY, page_to_pfn(p), 0, 0, 0, "released", NULL);
		luf_free_parked(p);
		n++;
	}
	return n;
}

/* For a stale-TLB report: what LUF knows of frame @pfn and CPU @cpu. */
void luf_debug_state(unsigned long pfn, unsigned int cpu, struct mm_struct *mm)
{
	if (!luf_keys)
		return;
	fprintf(stderr, "mmlab: LUF: pfn %lu key %u copy %u pending %d; ugen %u; cpu %u need %u "
		"done %u; mm %p luf_gen %u luf_mask %lx cpumask %lx\n", pfn,
		__atomic_load_n(&luf_keys[pfn], __ATOMIC_ACQUIRE),
		__atomic_load_n(&luf_copy[pfn], __ATOMIC_ACQUIRE), luf_page_pending(pfn),
		__atomic_load_n(&luf_ugen, __ATOMIC_ACQUIRE),
		cpu, __atomic_load_n(&cpu_need[cpu], __ATOMIC_ACQUIRE),
		__atomic_load_n(&cpu_done[cpu], __ATOMIC_ACQUIRE), (void *)mm,
		mm ? __atomic_load_n(&mm->luf_gen, __ATOMIC_ACQUIRE) : 0,
		mm ? (unsigned long)__atomic_load_n(&mm->luf_mask, __ATOMIC_ACQUIRE) : 0,
		mm ? (unsigned long)__atomic_load_n(&mm->cpumask, __ATOMIC_ACQUIRE) : 0);
}

unsigned long luf_nr_parked(void)
{
	return READ_ONCE(nr_parked);
}
