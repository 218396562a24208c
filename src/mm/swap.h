/*
 * swap.h - private interfaces of reclaim, swap, rmap and migration: the
 * model's mm/swap.h plus the parts of linux/swap.h, swapops.h and rmap.h the
 * rest of mm/ needs.
 *
 * Lock order for these (see internal.h for the rest):
 *   folio lock (PG_locked) -> anon_vma->root->rwsem / mapping->i_mmap_rwsem
 *   -> PTE lock -> lruvec->lru_lock / swap_info->lock
 *   (mlock takes lru_lock under a PTE lock, or a PMD-mapped THP's PMD lock)
 */
#ifndef MMLAB_MM_SWAP_H
#define MMLAB_MM_SWAP_H

#include "internal.h"

/* ---- swap entries (swp_entry_t) and their PTE encoding ---- */
typedef struct { unsigned long val; } swp_entry_t;

#define MAX_SWAPFILES_SHIFT	5
#define SWP_TYPE_SHIFT		58
#define SWP_OFFSET_MASK		((1UL << SWP_TYPE_SHIFT) - 1)
#define SWP_DEVICE_NUM		3
#define SWP_MIGRATION_NUM	3
#define SWP_HWPOISON_NUM	1
#define SWP_PTE_MARKER_NUM	1
#define MAX_SWAPFILES		((1 << MAX_SWAPFILES_SHIFT) - SWP_DEVICE_NUM - \
				 SWP_MIGRATION_NUM - SWP_HWPOISON_NUM - SWP_PTE_MARKER_NUM)
#define SWP_HWPOISON		MAX_SWAPFILES
#define SWP_MIGRATION_READ	(MAX_SWAPFILES + SWP_HWPOISON_NUM)
#define SWP_MIGRATION_READ_EXCLUSIVE (SWP_MIGRATION_READ + 1)
#define SWP_MIGRATION_WRITE	(SWP_MIGRATION_READ + 2)
#define SWP_DEVICE_WRITE	(SWP_MIGRATION_READ + SWP_MIGRATION_NUM)
#define SWP_PTE_MARKER		(SWP_DEVICE_WRITE + SWP_DEVICE_NUM)

/* PTE marker bits (the offset of a SWP_PTE_MARKER entry) */
#define PTE_MARKER_UFFD_WP	(1UL << 0)
#define PTE_MARKER_POISONED	(1UL << 1)
#define PTE_MARKER_GUARD	(1UL << 2)
/* PM_SWAP for shmem (the PTE-marker RFC): a shmem page paged out from under this PTE */
#define PTE_MARKER_PAGEOUT	(1UL << 3)
/* model-only: a zapped shmem PTE was soft-dirty (the PTE-marker RFC's problem (c)) */
#define PTE_MARKER_SOFT_DIRTY	(1UL << 4)

static inline swp_entry_t swp_entry(unsigned int type, unsigned long offset)
{
	return (swp_entry_t){ ((unsigned long)type << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK) };
}
static inline unsigned int swp_type(swp_entry_t e) { return e.val >> SWP_TYPE_SHIFT; }
static inline unsigned long swp_offset(swp_entry_t e) { return e.val & SWP_OFFSET_MASK; }
static inline bool non_swap_entry(swp_entry_t e) { return swp_type(e) >= MAX_SWAPFILES; }
static inline bool is_migration_entry(swp_entry_t e)
{
	return swp_type(e) >= SWP_MIGRATION_READ && swp_type(e) <= SWP_MIGRATION_WRITE;
}
static inline bool is_pte_marker_entry(swp_entry_t e) { return swp_type(e) == SWP_PTE_MARKER; }

/*
 * x86-64: type in bits 59-63, the offset inverted in bits 9-58 (so that a
 * swap PTE never looks like a valid physical address to L1TF), bits 0 and 8
 * clear (not present, not PROT_NONE).  Software bits of a swap PTE:
 * soft-dirty (bit 1), uffd-wp (bit 2), exclusive (bit 3).
 */
#define SWP_OFFSET_FIRST_BIT	9
#define SWP_OFFSET_SHIFT	(SWP_OFFSET_FIRST_BIT + MAX_SWAPFILES_SHIFT)
#define _PAGE_SWP_SOFT_DIRTY	(1ULL << 1)
#define _PAGE_SWP_UFFD_WP	(1ULL << 2)
#define _PAGE_SWP_EXCLUSIVE	(1ULL << 3)
#define _PAGE_SWP_SW_BITS	(_PAGE_SWP_SOFT_DIRTY | _PAGE_SWP_UFFD_WP | _PAGE_SWP_EXCLUSIVE)

static inline pteval_t swp_entry_to_pte(swp_entry_t e)
{
	unsigned long off = swp_offset(e);

	return ((~off << SWP_OFFSET_SHIFT) >> MAX_SWAPFILES_SHIFT) |
	       ((pteval_t)swp_type(e) << (64 - MAX_SWAPFILES_SHIFT));
}
static inline swp_entry_t pte_to_swp_entry(pteval_t pte)
{
	pte &= ~_PAGE_SWP_SW_BITS;
	return swp_entry(pte >> (64 - MAX_SWAPFILES_SHIFT),
			 (~pte << MAX_SWAPFILES_SHIFT) >> SWP_OFFSET_SHIFT);
}
static inline bool is_swap_pte(pteval_t pte) { return !pte_none(pte) && !pte_present(pte); }
static inline pteval_t make_pte_marker(unsigned long bits)
{
	return swp_entry_to_pte(swp_entry(SWP_PTE_MARKER, bits));
}
static inline swp_entry_t make_migration_entry(unsigned long pfn, bool write)
{
	return swp_entry(write ? SWP_MIGRATION_WRITE : SWP_MIGRATION_READ, pfn);
}

/* ---- swap areas (swapfile.c) ---- */
#define SWAP_HAS_CACHE	0x8000	/* swap_map: a folio in the swap cache */
#define SWAP_COUNT_MASK	0x7fff

struct swap_info_struct {
	spinlock_t lock;		/* swap_map, zeromap, cache, counters */
	int type;
	int fd;
	char path[256];
	unsigned long max;		/* slots; slot 0 is the header */
	unsigned long inuse_pages;
	unsigned long next;		/* where the slot search resumes */
	uint16_t *swap_map;		/* references (PTEs, shmem slots) | HAS_CACHE */
	uint8_t *zeromap;		/* slot holds a zero-filled page: not written */
	struct page **cache;		/* the swap cache */
};

extern struct swap_info_struct *swap_info[MAX_SWAPFILES];
extern int nr_swapfiles;

struct swap_info_struct *swp_swap_info(swp_entry_t e);
int swapon_file(uint64_t bytes);
void swapoff_all(void);
swp_entry_t folio_alloc_swap(struct page *folio);	/* val 0: none free */
int swap_duplicate(swp_entry_t e);
void swap_free(swp_entry_t e);
int __swap_count(swp_entry_t e);
void swapcache_clear(swp_entry_t e);
int swapcache_prepare(swp_entry_t e);		/* -EEXIST: cached already */
void free_swap_and_cache(swp_entry_t e);
bool folio_free_swap(struct page *folio);
long nr_swap_pages(void);
long total_swap_pages(void);
bool vm_enough_memory(unsigned long pages);
static inline bool vm_swap_full(void) { return nr_swap_pages() * 2 < total_swap_pages(); }

/* ---- swap cache (swap_state.c) and I/O (page_io.c) ---- */
static inline swp_entry_t page_swap_entry(struct page *p) { return (swp_entry_t){ p->private }; }
int add_to_swap_cache(struct page *folio, swp_entry_t e);
void delete_from_swap_cache(struct page *folio);
struct page *swap_cache_get_folio(swp_entry_t e);
struct page *read_swap_cache_async(swp_entry_t e, struct vm_area_struct *v, unsigned long addr,
				   bool *io_done, int *err);
bool add_to_swap(struct page *folio);
int swap_writeout(struct page *folio);
int swap_read_folio(struct page *folio);
bool is_folio_zero_filled(struct page *folio);

#define PageSwapCache(p) test_page_flag(p, PG_swapcache)

/* folio lock */
bool folio_trylock(struct page *p);
void folio_lock(struct page *p);
void folio_unlock(struct page *p);
static inline bool folio_test_locked(struct page *p) { return test_page_flag(p, PG_locked); }

/* ---- LRU (swap.c) ---- */
enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};
static inline bool is_file_lru(enum lru_list l)
{
	return l == LRU_INACTIVE_FILE || l == LRU_ACTIVE_FILE;
}

struct lruvec {
	spinlock_t lru_lock;
	struct list_head lists[NR_LRU_LISTS];
	long nr[NR_LRU_LISTS];
};

struct pglist_data {
	int node_id;
	struct lruvec lruvec;
	unsigned long watermark_min, watermark_low, watermark_high;
	/* WMARK_PROMO: with memory tiering, kswapd of a node reclaims up to
	 * here, so that promotions find room above the high watermark */
	unsigned long watermark_promo;
	/* memory-tiering promotion (kernel/sched/fair.c), this node as the
	 * target: the rate limit's window (ms) and the candidates before it,
	 * the hot threshold's window and candidates, the threshold (ms, 0:
	 * the default); pgpromote_candidate as a node counter (atomic) */
	unsigned int nbp_rl_start, nbp_th_start, nbp_threshold;
	unsigned long nbp_rl_nr_cand, nbp_th_nr_cand;
	unsigned long promote_candidate;
	/* kswapd: a host thread per node */
	int kswapd_wait;		/* futex word: wakeups */
	int kswapd_stop;
	int kswapd_running;
	unsigned long managed;
};
extern struct pglist_data node_data[MAX_NUMNODES];
#define NODE_DATA(nid) (&node_data[nid])

void folio_add_lru(struct page *folio);
/* a new anonymous folio of @v: mlocked at once where @v is VM_LOCKED */
void folio_add_lru_vma(struct page *folio, struct vm_area_struct *v);
void lru_add_drain(void);
void lru_add_drain_all(void);
void lru_add_drain_all_quiet(void);
bool folio_isolate_lru(struct page *folio);
void folio_putback_lru(struct page *folio);
void folio_putback_lru_tail(struct page *folio, bool tail);
void lru_note_free(struct page *folio);		/* a folio leaving the LRU as it is freed */
void folio_deactivate(struct page *folio);
void folio_mark_lazyfree(struct page *folio);
void folio_activate(struct page *folio);
enum lru_list folio_lru_list(struct page *folio);
void lruvec_add_folio(struct lruvec *l, struct page *folio);
void lruvec_add_folio_tail(struct lruvec *l, struct page *folio);
void lruvec_del_folio(struct lruvec *l, struct page *folio);
void lru_init(void);
static inline struct lruvec *folio_lruvec(struct page *p) { return &NODE_DATA(page_to_nid(p))->lruvec; }

/* ---- mlock (mlock.c): the unevictable LRU ----
 * An mlocked folio (PG_mlocked, counted in nr_mlock) is unevictable: on the
 * LRU it sits on LRU_UNEVICTABLE (PG_unevictable), which is no real list,
 * and its lru field holds mlock_count.  mlock_vma_folio after a small
 * folio's rmap is added in a VM_LOCKED VMA, munlock_vma_folio after any
 * folio's rmap is removed from one; reclaim restores a missed mlock. */
static inline bool folio_evictable(struct page *folio)
{
	return !test_page_flag(folio, PG_mlocked);
}
void mlock_folio(struct page *folio);
void munlock_folio(struct page *folio);
void mlock_new_folio(struct page *folio);
static inline void mlock_vma_folio(struct page *folio, struct vm_area_struct *v)
{
	if (unlikely(READ_ONCE(v->vm_flags) & VM_LOCKED))
		mlock_folio(folio);
}
static inline void munlock_vma_folio(struct page *folio, struct vm_area_struct *v)
{
	if (unlikely(READ_ONCE(v->vm_flags) & VM_LOCKED))
		munlock_folio(folio);
}
/* madvise.c: how many PTEs from @pte (for @addr, below @end) map consecutive
 * pages of @folio from @page on */
unsigned long folio_pte_batch(pteval_t *pte, unsigned long addr, unsigned long end,
			      struct page *folio, struct page *page);
/* page_alloc.c's free path: a folio freed while mlocked */
void mlock_clear_on_free(struct page *folio);

/* ---- rmap (rmap.c) ---- */
struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct list_head same_vma;	/* in vma->anon_vma_chain */
	struct list_head same_anon_vma;	/* in anon_vma->head */
};

enum ttu_flags {
	TTU_BATCH_FLUSH = 0x1,	/* defer the TLB flush (set_tlb_ubc_flush_pending) */
	TTU_IGNORE_MLOCK = 0x2,
	TTU_MIGRATION = 0x4,	/* install migration entries */
};

int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src);
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
void unlink_anon_vmas(struct vm_area_struct *vma);
void anon_vma_get(struct anon_vma *av);
void folio_add_new_anon_rmap(struct page *p, struct vm_area_struct *v, unsigned long addr);
void folio_move_anon_rmap(struct page *p, struct vm_area_struct *v);
void folio_add_file_rmap(struct page *p, struct vm_area_struct *v);
void folio_dup_rmap(struct page *p, struct vm_area_struct *v);
bool folio_mapped(struct page *p);
void try_to_unmap(struct page *folio, enum ttu_flags flags);
bool folio_lazyfree_redirtied(struct page *folio);
bool folio_lazyfree_discard(struct page *folio);
/* *vm_flags gets VM_LOCKED when a VM_LOCKED VMA maps it (the walk stops) */
int folio_referenced(struct page *folio, bool is_locked, unsigned long *vm_flags);
void remove_migration_ptes(struct page *src, struct page *dst);
void try_to_unmap_flush(void);
void try_to_unmap_flush_dirty(void);
void flush_tlb_batched_pending(struct mm_struct *mm);
bool mm_tlb_batched_pending(struct mm_struct *mm);

/* ---- reclaim (vmscan.c) ---- */
unsigned long reclaim_pages(struct list_head *folio_list, bool ignore_references);
unsigned long try_to_free_pages(int nid, unsigned long nr);
long user_proactive_reclaim(const char *buf);
void wakeup_kswapd(int nid);
unsigned long node_free_pages(int nid);
unsigned long node_free_pages_now(int nid);
int kswapd_start(void);
void kswapd_stop_all(void);
/* No kswapd woken or running on any node. */
bool kswapd_idle(void);
void setup_per_zone_wmarks(void);

/* ---- migration (migrate.c) ---- */
int migrate_isolated_folio(struct page *folio, int nid);
unsigned long migrate_pages(struct list_head *from, int nid);
/* migrate_huge.c: a THP mapped by one PMD moves whole */
bool folio_migrate_whole(struct page *folio);
int migrate_huge_pmd_folio(struct page *src, int nid);
/* api_machine.c: the page mapped at @addr with a reference; a large
 * folio's page split to a small one (the model migrates small folios) */
struct page *mm_follow_page(struct mm_struct *mm, unsigned long addr);
struct page *split_for_move(struct mm_struct *mm, unsigned long addr, struct page *pg);
void migration_entry_wait(struct mm_struct *mm, pteval_t *pmd, unsigned long addr);
unsigned int demote_folio_list(struct list_head *folios, int nid);
int next_demotion_node(int nid);
bool numa_demotion_enabled(void);
enum migrate_reason { MR_DEMOTION, MR_NUMA_MISPLACED, MR_SYSCALL };

/* ---- LUF (luf.c) ---- */
int luf_init(void);
void luf_exit(void);
bool luf_page_pending(unsigned long pfn);
void luf_ttu_begin(void);
bool luf_ttu_pte(struct vm_area_struct *v, struct page *folio, unsigned long addr,
		 pteval_t old);
void luf_ttu_end(struct page *folio);
void luf_flush_mm(struct mm_struct *mm);
void luf_switch_mm(struct cpu *c);
bool luf_park(struct page *p);
unsigned long luf_release_parked(void);
unsigned long luf_nr_parked(void);
long luf_node_parked(int nid);
void luf_flush_write(struct vm_area_struct *v, struct page *page);
void luf_vma_merge(struct vm_area_struct *a, struct vm_area_struct *b);
void luf_tlb_vma(struct mmu_gather *tlb, struct vm_area_struct *v);
void luf_flush_gather(struct mmu_gather *tlb);
void luf_copy_page(struct page *dst, struct page *src);
void luf_swap_out(struct page *folio, swp_entry_t e);
void luf_swap_in(struct page *folio, swp_entry_t e);
void luf_prep_new(struct page *p, unsigned int order);
void luf_free_parked(struct page *p);		/* page_alloc.c */

/* luf_trace.c: a ring of LUF events, kept when MMLAB_LUF_TRACE=1 */
enum luf_ev_type {
	LUF_EV_TTU,	/* a: pfn, b: addr, c: generation, d: cpumask; p: mm, q: vma */
	LUF_EV_FLUSH,	/* a: new generation, b: targets, c: upto, d: vm_event */
	LUF_EV_SWITCH,	/* a: asid, b: mm's luf_gen, c: flushed; p: mm */
	LUF_EV_TLB_VMA,	/* a, b: the VMA's range, c: its luf_gen; p: mm, q: vma */
	LUF_EV_KEY,	/* a: pfn, b: new key; p: why (a string) */
	LUF_EV_FILL,	/* a: va, b: pfn, c: asid, d: fill_seq */
	LUF_EV_PAGE,	/* a: pfn, b: another pfn or index; p: what (a string) */
};
extern bool luf_trace_on;
void luf_trace_init(void);
void luf_trace_ev(enum luf_ev_type type, uint64_t a, uint64_t b, uint64_t c,
		  uint64_t d, const void *p, const void *q);
void luf_trace_dump(unsigned long pfn, unsigned long addr, unsigned int cpu);
void luf_debug_state(unsigned long pfn, unsigned int cpu, struct mm_struct *mm);
#define luf_trace(...) do { if (unlikely(luf_trace_on)) luf_trace_ev(__VA_ARGS__); } while (0)
void tlb_ubc_add(cpumask_t mask);		/* rmap.c */
void tlb_ubc_add_mm(struct mm_struct *mm);	/* rmap.c */

/* shmem swap (shmem.c) */
int shmem_writeout(struct page *folio);
bool shmem_drop_clean(struct page *folio);
unsigned long shmem_swap_usage(struct file *f, unsigned long start, unsigned long end);
bool shmem_is_swapped(struct file *f, unsigned long index);

/* debug/check_exclusive (cow_check.c) */
void debug_check_exclusive(struct page *page, struct vm_area_struct *v, unsigned long addr,
			   swp_entry_t e);

/* ---- transparent huge pages (huge_memory.c, khugepaged.c) ---- */
#define HPAGE_PMD_ORDER	9
#define HPAGE_PMD_NR	512
#define VM_FAULT_FALLBACK	0x20
enum mthp_stat_item {
	MTHP_STAT_ANON_FAULT_ALLOC,
	MTHP_STAT_ANON_FAULT_FALLBACK,
	MTHP_STAT_SPLIT,
	MTHP_STAT_SPLIT_DEFERRED,
	MTHP_STAT_SPLIT_FAILED,
	MTHP_STAT_NR_ANON,		/* a gauge: folios of this size */
	MTHP_STAT_NR_ANON_PARTIALLY_MAPPED,	/* a gauge */
	MTHP_STAT_SWPOUT,		/* a large folio written to swap whole */
	MTHP_STAT_SWPOUT_FALLBACK,	/* split because swap had no room for it */
	/* events the model has no path for, kept so that the kernel's files
	 * read the same: memcg charge failures, shmem THPs, large swap-in
	 * (synchronous-IO devices only), zswap */
	MTHP_STAT_ANON_FAULT_FALLBACK_CHARGE,
	MTHP_STAT_SHMEM_ALLOC,
	MTHP_STAT_SHMEM_FALLBACK,
	MTHP_STAT_SHMEM_FALLBACK_CHARGE,
	MTHP_STAT_SWPIN,
	MTHP_STAT_SWPIN_FALLBACK,
	MTHP_STAT_SWPIN_FALLBACK_CHARGE,
	MTHP_STAT_ZSWPOUT,
	MTHP_STAT_COLLAPSE_ALLOC,	/* model: per-order collapses (mTHP collapse) */
	MTHP_STAT_COLLAPSE_ALLOC_FAILED,
	NR_MTHP_STAT
};
extern uint64_t mthp_stat[NR_THP_SIZES][NR_MTHP_STAT];
void count_mthp_stat(unsigned int order, enum mthp_stat_item item);
void mod_mthp_stat(unsigned int order, enum mthp_stat_item item, long delta);
void thp_init(void);
extern struct page *huge_zero_folio;
extern unsigned long huge_zero_pfn;
bool is_huge_zero_pmd(pteval_t v);
spinlock_t *pmd_trans_huge_lock(pteval_t *pmd, pteval_t *val);
pteval_t pmdp_invalidate(struct vm_area_struct *v, unsigned long haddr, pteval_t *pmd);
bool thp_size_allowed(unsigned int order, unsigned long vm_flags);
bool thp_vma_suitable_order(struct vm_area_struct *v, unsigned long addr, unsigned int order);
unsigned long thp_vma_allowable_orders(struct vm_area_struct *v, unsigned long orders,
				       bool enforce_sysfs);
struct page *vma_alloc_anon_folio(struct vm_area_struct *v, unsigned long addr,
				  unsigned int order);
int do_huge_pmd_anonymous_page(struct vm_area_struct *v, pteval_t *pmd,
			       unsigned long addr, unsigned int flags);
int do_huge_pmd_wp_page(struct vm_area_struct *v, pteval_t *pmd, unsigned long addr,
			pteval_t orig, bool unshare);
void huge_pmd_set_accessed(pteval_t *pmd, pteval_t orig, bool write);
bool zap_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *v, pteval_t *pmd,
		  unsigned long addr);
bool move_huge_pmd(struct vm_area_struct *v, unsigned long old_addr, pteval_t *old_pmd,
		   pteval_t *new_pmd);
bool move_huge_pmd_same(struct vm_area_struct *v, unsigned long old_addr, pteval_t *old_pmd,
			pteval_t *new_pmd, pteval_t expect);
int copy_huge_pmd(struct vm_area_struct *dst, struct vm_area_struct *src,
		  pteval_t *dst_pmd, pteval_t *src_pmd, unsigned long addr);
bool change_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *v, pteval_t *pmd,
		     unsigned long addr, pteval_t newprot, unsigned int cp_flags);
void __split_huge_pmd(struct vm_area_struct *v, pteval_t *pmd, unsigned long addr);
enum { MADV_FREE_ADVICE, MADV_COLD_ADVICE, MADV_PAGEOUT_ADVICE };
bool madvise_split_huge_pmd_folio(pteval_t *pmd);
bool madvise_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *v, pteval_t *pmd,
		      unsigned long addr, int advice, struct list_head *list);
void split_huge_pmd_address(struct vm_area_struct *v, unsigned long addr);
int split_folio(struct page *folio);
int split_folio_to_list(struct page *folio, struct list_head *list);
int split_folio_to_list_to_order(struct page *folio, struct list_head *list,
				 unsigned int new_order);
int split_folio_to_order(struct page *folio, unsigned int new_order);
void deferred_split_remove(struct page *folio);
/* /sys/kernel/debug/split_huge_pages: the bytes taken or -errno */
long split_huge_pages_write(const char *buf);
void deferred_split_folio(struct page *folio, bool partially_mapped);
void folio_undo_large_rmappable(struct page *folio);
unsigned long deferred_split_scan(unsigned long nr);
unsigned long deferred_split_count(void);
static inline bool get_page_unless_zero(struct page *p)
{
	int r = atomic_read(&p->_refcount);

	while (r > 0)
		if (__atomic_compare_exchange_n(&p->_refcount, &r, r + 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return true;
	return false;
}
/* rmap.c: walk every VMA that may map part of @folio */
struct rmap_walk_control {
	void *arg;
	/* returns false to stop the walk; @addr is where the folio's first
	 * page would be (maybe outside the VMA for a large folio) */
	bool (*rmap_one)(struct page *folio, struct vm_area_struct *v,
			 unsigned long addr, void *arg);
};
void rmap_walk_folio(struct page *folio, struct rmap_walk_control *rwc);
/* Call @fn for each VMA in which some page of @folio is mapped (present),
 * read without page-table locks (the caller may hold one of them). */
void rmap_walk_mapped(struct page *folio,
		      bool (*fn)(struct page *, struct vm_area_struct *, unsigned long, void *),
		      void *arg);
void rmap_walk_held(struct anon_vma *root, struct mm_struct *mm);
struct mm_struct *rmap_walk_held_mm(void);
/* khugepaged.c */
int khugepaged_start(void);
void khugepaged_stop(void);
void khugepaged_enter_vma(struct vm_area_struct *v, unsigned long vm_flags);
void __khugepaged_enter(struct mm_struct *mm);
void khugepaged_exit(struct mm_struct *mm);
void khugepaged_run_kick(void);
int madvise_collapse(struct mm_struct *mm, unsigned long start, unsigned long end);

#endif
