/*
 * internal.h - the memory manager's shared types and private interfaces
 * (the model's mm_types.h and mm/internal.h in one).
 *
 * Lock order (outermost first), and what each guards:
 *
 *   khugepaged_sem (khugepaged.c)     the scan cursor; taken before mmap_lock
 *   mmap_lock (rw_semaphore, per mm)  the VMA tree and every VMA's fields;
 *                                     readers fault, writers change VMAs
 *   mm->vma_lock_all (rw_semaphore)   taken for writing by mmap_write_lock()
 *                                     right after mmap_lock: no VMA-locked fault
 *   vma->vm_lock (rw_semaphore)       a fault under its VMA lock alone (read);
 *                                     khugepaged's collapse (write)
 *   mapping->i_rwsem (inode_lock)     a shmem file's size, fallocate, seals
 *                                     (MADV_REMOVE takes it under mmap_lock)
 *   folio lock (PG_locked)            a truncation unmaps a folio under it
 *   mapping->i_mmap_rwsem             the list of VMAs mapping a shmem file
 *                                     (retract_page_tables only trylocks
 *                                     an mm's mmap_lock under it)
 *   anon_vma->root->rwsem             the anon_vma tree (rmap walks read);
 *                                     a VMA change or an mremap that takes
 *                                     both takes i_mmap_rwsem first
 *   mapping->lock (spinlock)          the shmem page cache slots
 *   mm->page_table_lock (spinlock)    populating PGD and PUD entries
 *   PMD lock (ptl of the PMD table's struct page)  PMD entries of that table
 *   PTE lock (ptl of the PTE table's struct page)  PTE entries of that table
 *                                     two at once only in UFFDIO_MOVE
 *                                     (userfaultfd_move.c): the lower
 *                                     table's lock first
 *   folio mapcount lock (hashed, folio.c)  a large folio's mapcounts, mm ids
 *   split_queue_lock, huge_zero_lock (huge_memory.c), lru_lock: leaves
 *   zone->lock (spinlock, per node)   the buddy free lists
 *   io_uring ctx->lock (io_uring_rsrc.c), gup_test state->lock
 *                                     (gup_test.c): leaves, taken with no
 *                                     other lock held and dropped before
 *                                     pinning or unpinning (which fault)
 *   cb_lock (host mutex, lib/rcu_cb.c)  the queued RCU callbacks: a leaf,
 *                                     held for list updates only (call_rcu
 *                                     may be called under any lock)
 *   debug/check_exclusive (cow_check.c) trylocks an anon_vma under a PTE
 *                                     lock: a trylock, never a wait
 *   dsched_mu (host mutex, lib/sched.c)  the deterministic scheduler's state;
 *                                     taken inside any model lock, never
 *                                     held across a model lock or a wait
 *
 * Page-table frames are freed through RCU after the TLB flush that follows
 * their removal (mmu_gather), so a walker in an RCU read-side section
 * (pte_offset_map, the hardware walker) never reads a freed table.  Frames of
 * user pages are freed only after the TLB flush that follows their unmap.
 *
 * struct page fields: _refcount and _mapcount are atomics; flags bits change
 * with atomic ops; mapping/index are set while the page is unreachable by
 * others (new page) or under the page cache lock.
 */
#ifndef MMLAB_MM_INTERNAL_H
#define MMLAB_MM_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "lib/bug.h"
#include "lib/compiler.h"
#include "lib/list.h"
#include "lib/lock.h"
#include "lib/range_tree.h"
#include "lib/xarray.h"
#include "lib/rcu.h"
#include "hw/cpu.h"
#include "hw/mmu.h"
#include "hw/pgtable.h"
#include "hw/phys.h"
#include "mmlab/mmlab.h"

/* ---- page flags ---- */
enum pageflags {
	PG_locked,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_swapbacked,
	PG_anon_exclusive,	/* the kernel keeps it in PG_mappedtodisk */
	PG_table,		/* a page-table frame */
	PG_buddy,		/* free, heading a buddy block */
	PG_reserved,		/* never freed (the zero page) */
	PG_zeroed,		/* bytes known to be zero (fresh from the host) */
	PG_head,
	PG_anon,		/* mapping is an anon_vma */
	PG_pcp,			/* on a per-CPU free list */
	PG_freed_table,		/* a page-table frame waiting for RCU */
	PG_swapcache,		/* in the swap cache; private = swap entry */
	PG_writeback,
	PG_reclaim,		/* written for reclaim: free it on the next pass */
	PG_mlocked,
	PG_unevictable,
	PG_workingset,
	PG_tail,		/* a tail page: its offset in bits TAIL_SHIFT.. */
	PG_deferred_split,	/* head: on the deferred split queue */
	PG_partially_mapped,	/* head: some pages were unmapped (mTHP/THP) */
	NR_PAGEFLAGS
};
BUILD_BUG_ON(NR_PAGEFLAGS > 28);

static inline bool test_page_flag(const struct page *p, int b)
{
	return READ_ONCE(p->flags) & (1UL << b);
}
static inline void set_page_flag(struct page *p, int b)
{
	__atomic_fetch_or(&p->flags, 1UL << b, __ATOMIC_RELAXED);
}
static inline void clear_page_flag(struct page *p, int b)
{
	__atomic_fetch_and(&p->flags, ~(1UL << b), __ATOMIC_RELAXED);
}
static inline bool test_and_set_page_flag(struct page *p, int b)
{
	return __atomic_fetch_or(&p->flags, 1UL << b, __ATOMIC_ACQ_REL) & (1UL << b);
}
static inline bool test_and_clear_page_flag(struct page *p, int b)
{
	return __atomic_fetch_and(&p->flags, ~(1UL << b), __ATOMIC_ACQ_REL) & (1UL << b);
}
#define PageAnon(p)		test_page_flag(compound_head(p), PG_anon)
#define PageAnonExclusive(p)	test_page_flag(p, PG_anon_exclusive)
#define SetPageAnonExclusive(p)	set_page_flag(p, PG_anon_exclusive)
#define ClearPageAnonExclusive(p) clear_page_flag(p, PG_anon_exclusive)
#define PageTable(p)		test_page_flag(p, PG_table)
#define PageReserved(p)		test_page_flag(p, PG_reserved)
#define PageDirty(p)		test_page_flag(compound_head(p), PG_dirty)
#define SetPageDirty(p)		set_page_flag(compound_head(p), PG_dirty)

/* ---- folios (folio.c) ----
 * A large folio is a compound page of order >= 2: the head has PG_head, each
 * tail PG_tail and its offset from the head in flags (so compound_head needs
 * no pointer that a list operation could change).  The first tail holds the
 * folio's order and tracked mm ids in ->private and its mapcounts in the
 * lru union.  The refcount lives in the head; per-page _mapcount counts PTE
 * mappings of that page.  Functions taking a "folio" take a head page. */
#define TAIL_SHIFT	44	/* flags: PG_* 0..27, NUMA access time 28..43 */
#define TAIL_MASK	0x3ffUL
static inline struct page *compound_head(const struct page *p)
{
	unsigned long f = READ_ONCE(p->flags);

	if (f & (1UL << PG_tail))
		return (struct page *)p - ((f >> TAIL_SHIFT) & TAIL_MASK);
	return (struct page *)p;
}
#define page_folio(p)	compound_head(p)
static inline bool folio_test_large(const struct page *f) { return test_page_flag(f, PG_head); }
static inline unsigned int folio_order(const struct page *f)
{
	return folio_test_large(f) ? (unsigned int)(READ_ONCE(f[1].private) & 0xff) : 0;
}
static inline unsigned long folio_nr_pages(const struct page *f) { return 1UL << folio_order(f); }
static inline int folio_entire_mapcount(struct page *f)
{
	return folio_test_large(f) ? atomic_read(&f[1]._entire_mapcount) + 1 : 0;
}
static inline int folio_large_mapcount(struct page *f) { return atomic_read(&f[1]._large_mapcount) + 1; }
/* Present page-table entries mapping any part (a PMD counts once). */
static inline int folio_mapcount(struct page *f)
{
	return folio_test_large(f) ? folio_large_mapcount(f) : atomic_read(&f->_mapcount) + 1;
}
static inline int page_ref_count(struct page *p) { return atomic_read(&compound_head(p)->_refcount); }
static inline void get_page(struct page *p) { atomic_inc(&compound_head(p)->_refcount); }
void put_page(struct page *p);
void folio_put_refs(struct page *folio, int refs);
/* Mappings of this page: its PTEs, plus PMD mappings of its folio. */
static inline int page_mapcount(struct page *p)
{
	struct page *f = compound_head(p);

	return atomic_read(&p->_mapcount) + 1 + (f != p || folio_test_large(f) ?
						  folio_entire_mapcount(f) : 0);
}
void prep_compound_page(struct page *head, unsigned int order);
struct vm_area_struct;
struct mm_struct;
/* Mapcount changes of large folios (rmap.c), under the folio's mapcount
 * lock; @page..@page+nr-1 by PTEs, or the whole folio by a PMD. */
void folio_add_anon_rmap_ptes(struct page *folio, struct page *page, int nr,
			      struct vm_area_struct *v);
void folio_add_anon_rmap_pmd(struct page *folio, struct vm_area_struct *v);
void folio_add_file_rmap_pmd(struct page *folio, struct vm_area_struct *v);
void folio_remove_rmap_ptes(struct page *folio, struct page *page, int nr,
			    struct vm_area_struct *v);
void __folio_remove_rmap_ptes(struct page *folio, struct page *page, int nr,
			      struct vm_area_struct *v, bool defer);
void folio_remove_rmap_pmd(struct page *folio, struct vm_area_struct *v);
void folio_add_new_anon_rmap_large(struct page *folio, struct vm_area_struct *v,
				   unsigned long addr, bool pmd);
/* "Is this folio mapped by more than one mm?" as shared_check selects */
enum shared_check { SHARED_MAYBE, SHARED_LIKELY, SHARED_PRECISE,
		    SHARED_ALWAYS_TRUE, SHARED_ALWAYS_FALSE };
bool folio_maybe_mapped_shared(struct page *folio);
bool folio_maybe_mapped_shared_ids(struct page *folio);
bool folio_likely_mapped_shared(struct page *folio);
bool folio_mapped_shared_precise(struct page *folio);
void folio_exit(void);	/* machine teardown: the precise bookkeeping */
bool folio_mm_owns_all(struct page *folio, struct mm_struct *mm);

/* ---- page allocator (page_alloc.c) ---- */
#define MAX_ORDER	10
#define GFP_ZERO	0x1	/* zero the bytes */
#define GFP_NODATA_OK	0x2	/* user data: no need to zero in no-data mode */
#define GFP_NORECLAIM	0x4	/* never reclaim (reclaim's own allocations) */
#define GFP_NOWMARK	0x8	/* may take the last pages (below min) */
#define GFP_THISNODE	0x10	/* only the node asked for */
#define GFP_ATOMIC	0x20	/* cannot wait: no reclaim, and no LUF flush (it never
				 * takes parked frames: LUF's reserve is for it) */

struct page *alloc_pages_node(int nid, unsigned int order, unsigned int gfp);
/* __alloc_pages: from @nid first, only from the nodes in @nodemask (a bit
 * per node; NULL: any node) */
struct page *__alloc_pages(int nid, unsigned int order, unsigned int gfp,
			   const unsigned long *nodemask);
static inline struct page *alloc_page(unsigned int gfp) { return alloc_pages_node(-1, 0, gfp); }
void __free_pages(struct page *p, unsigned int order);
void free_unref_page(struct page *p);	/* order 0, through the pcp list */
unsigned long nr_free_pages(void);
int page_alloc_init(void);
void page_alloc_exit(void);
void drain_local_pages(struct cpu *c);
void drain_all_pages(void);
void drain_all_pages_quiet(void);

/* The cost clock of the CPU doing the work (src/hw/cost.c): @n events.  A
 * kernel thread (kswapd) owns no CPU and is charged nothing. */
static inline void charge_this_cpu(enum cost_event ev, unsigned long n)
{
	struct cpu *c = this_cpu();

	if (c)
		c->cycles += n * cost_table[ev].cycles;
}

/* copy_highpage: the bytes of @src into @dst, charged as a page copy. */
static inline void copy_highpage(struct page *dst, struct page *src)
{
	charge_this_cpu(COST_PAGE_COPY, 1);
	frame_copy(page_to_pfn(dst), page_to_pfn(src));
}

/* ---- vmstat (vmstat.c) ---- */
#include "vm_event_item.h"

/* ---- knobs (sysfs.c) ---- */
enum thp_mode { THP_ALWAYS, THP_MADVISE, THP_NEVER };
enum shmem_pm_swap { PM_SWAP_OFF, PM_SWAP_MARKER, PM_SWAP_LOOKUP };
enum pt_scan { PT_SCAN_ALWAYS, PT_SCAN_MADVISE, PT_SCAN_NEVER };
enum pt_scan_mode { PT_SCAN_LOCKED, PT_SCAN_LOCKLESS };
enum collapse_locking { COLLAPSE_MMAP_WRITE, COLLAPSE_PTE_LOCKS };
/* debug/collapse_fail: the step at which the next collapse fails */
enum collapse_fail { COLLAPSE_FAIL_NONE, COLLAPSE_FAIL_ALLOC, COLLAPSE_FAIL_REVALIDATE,
		     COLLAPSE_FAIL_ISOLATE, COLLAPSE_FAIL_LOCK, COLLAPSE_FAIL_PMD };
enum thp_size_mode { THPS_ALWAYS, THPS_INHERIT, THPS_MADVISE, THPS_NEVER };
#define NR_THP_SIZES	8	/* 16 KiB .. 2 MiB: orders 2..9 */

struct mm_knobs {
	int skip_flush;		/* debug: drop every TLB flush */
	int skip_pmd_recheck;	/* debug: pte_offset_map_lock trusts the PMD */
	unsigned int pmd_invalid_window; /* debug: scheduling points in pmdp_invalidate */
	int check_exclusive;	/* debug: a CoW reuse looks for other mappers */
	int stale_check;
	unsigned int tlb_single_page_flush_ceiling;
	/* transparent_hugepage (the mechanisms arrive with the THP work) */
	int thp_enabled;		/* enum thp_mode */
	int thp_defrag;			/* always defer defer+madvise madvise never */
	int thp_size_enabled[NR_THP_SIZES];	/* enum thp_size_mode */
	int thp_use_zero_page;
	int thp_shrink_underused;	/* 6.12+: split underused THPs under pressure */
	int thp_shmem_enabled;		/* shmem_huge.c: always .. force */
	int thp_size_shmem_enabled[NR_THP_SIZES + 1];	/* 8 KiB .. 2 MiB */
	int khugepaged_defrag;
	unsigned int khugepaged_max_ptes_none, khugepaged_max_ptes_swap,
		     khugepaged_max_ptes_shared, khugepaged_pages_to_scan,
		     khugepaged_scan_sleep_millisecs, khugepaged_alloc_sleep_millisecs;
	uint64_t khugepaged_full_scans, khugepaged_pages_collapsed;
	int pt_reclaim_zap;	/* free empty PTE tables in MADV_DONTNEED's zap */
	int pt_reclaim_scan;	/* enum pt_scan: the page-table reclaim RFC's asynchronous scanner */
	int pt_reclaim_scan_mode; /* enum pt_scan_mode */
	unsigned int pt_reclaim_scan_delay_ms;
	unsigned long pt_reclaim_scan_size;	/* bytes of address space per scan */
	int soft_dirty;		/* CONFIG_MEM_SOFT_DIRTY (off, as on this host) */
	int forbids_zeropage;	/* mm_forbids_zeropage(): read faults allocate
				 * (an architecture's or a guest's choice) */
	int batch_flush;	/* reclaim's TTU_BATCH_FLUSH (1, upstream) */
	int luf_enabled;	/* LUF: lazy unmap flush */
	int luf_unsafe_skip_munmap_flush; /* a deliberate bug, for the tests */
	int shared_check;	/* enum shared_check (folio_likely_mapped_shared) */
	int collapse_locking;	/* enum collapse_locking (mTHP collapse) */
	int mthp_collapse;	/* mTHP collapse: khugepaged collapses into mTHP orders too */
	int mthp_creep_guard;	/* mTHP collapse: max_ptes_none <= 255 */
	int per_vma_lock;	/* faults under a VMA lock (CONFIG_PER_VMA_LOCK) */
	int khugepaged_wake_on_enter;	/* a first registration runs a pass */
	int collapse_fail;	/* debug: enum collapse_fail, one-shot */
	int shmem_pm_swap;	/* enum shmem_pm_swap */
	/* debug: fail the next N swap writes / reads (error injection) */
	int swap_fail_write, swap_fail_read;
	/* memory tiering */
	int demotion_enabled;		/* /sys/kernel/mm/numa/demotion_enabled */
	int numa_balancing;		/* /proc/sys/kernel/numa_balancing */
	unsigned int numa_scan_period_ms, numa_scan_size_mb;
	unsigned int numa_scan_period_max_ms;	/* .../scan_period_max_ms */
	unsigned int numa_hot_threshold_ms;	/* .../hot_threshold_ms */
	unsigned int numa_promote_rate_limit;	/* /proc/sys/kernel/numa_balancing_promote_rate_limit_MBps */
	/* /sys/kernel/debug/fault_around_bytes: a power of two from PAGE_SIZE
	 * (no fault-around) to PTRS_PER_PTE pages */
	unsigned long fault_around_bytes;
	unsigned long read_ahead_kb;	/* the disk's bdi read_ahead_kb */
	/* /proc/sys/vm */
	int swappiness;
	int min_free_kbytes;
	int watermark_scale_factor;
};
extern struct mm_knobs knobs;
int knobs_init(void);
int drop_caches_sysctl_handler(long v);
bool knob_is_read_only(const char *path);
int knobs_apply_env(void);

/* ---- mm_struct and VMAs ---- */
enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS };

struct mm_struct {
	unsigned long pgd_pfn;
	struct rw_semaphore mmap_lock;
	struct range_tree mm_mt;	/* VMAs, under mmap_lock */
	spinlock_t page_table_lock;
	long rss_stat[NR_MM_COUNTERS];	/* atomic */
	long pgtables_bytes;		/* atomic */
	unsigned long total_vm;		/* pages: changed under mmap_lock, atomically
					 * (status reads it without the lock) */
	uint64_t context_id;		/* never reused: PCID slot owner */
	uint64_t tlb_gen;		/* atomic: flush generation */
	cpumask_t cpumask;		/* atomic: CPUs that may cache it */
	int tlb_flush_pending;		/* atomic: flushes in progress */
	int tlb_flush_batched;		/* atomic: unmaps whose flush was deferred */
	int tlb_flush_batched_done;	/* atomic: deferrals a flush covered */
	unsigned long mmap_base;
	int users;			/* atomic */
	struct userfaultfd_ctx *uffd;	/* opened at the first register */
	unsigned long numa_next_scan;	/* ms: when task_numa_work runs next */
	unsigned long numa_scan_offset;	/* where it resumes */
	int pt_reclaim_off;		/* the per-process switch (prctl) */
	uint32_t luf_gen;		/* atomic: newest lazy unmap (LUF key) */
	cpumask_t luf_mask;		/* atomic: CPUs that may owe its flush */
	unsigned long pt_scan_next;	/* ms: the next page-table scan */
	unsigned long pt_scan_offset;	/* where it resumes */
	unsigned int mm_id;		/* the folio mm-id slots' name for it */
	/* Per-VMA locks: a fault may run under its VMA's vm_lock alone while
	 * no mmap_lock writer has claimed every VMA.  mmap_write_lock() claims
	 * them all (it takes this for writing); khugepaged's collapse takes
	 * mmap_lock for writing without it and write-locks its one VMA
	 * (vma_start_write), as the kernel's per-VMA locks allow. */
	struct rw_semaphore vma_lock_all;
	struct list_head khugepaged_node; /* on khugepaged's list, under its lock */
	bool khugepaged_registered;
	/* mlock (mlock.c): pages of VM_LOCKED VMAs (changed under mmap_lock
	 * for writing; status reads it without the lock), the flags every new
	 * VMA gets (mlockall's MCL_FUTURE), and the process's RLIMIT_MEMLOCK
	 * and CAP_IPC_LOCK: the model's process owns exactly one mm, so they
	 * live here (the kernel keeps them in signal_struct and the creds) */
	unsigned long locked_vm;
	unsigned long def_flags;
	unsigned long rlim_memlock, rlim_memlock_max;	/* bytes */
	bool cap_ipc_lock;
	/* the heap (brk, mmap.c), under mmap_lock */
	unsigned long start_brk, brk;
	/* peaks for status (VmHWM, VmPeak), in pages: raised before RSS or
	 * total_vm goes down, as update_hiwater_rss/vm do (atomic) */
	unsigned long hiwater_rss, hiwater_vm;
	/* prctl(PR_SET_THP_DISABLE): MMF_DISABLE_THP_* (thp_disable.c) */
	unsigned int thp_disable;
	/* MMF_HAS_PINNED: a FOLL_PIN was ever taken in this mm (gup.c;
	 * atomic, never cleared), so fork checks for pinned pages */
	bool has_pinned;
	/* odd while fork write-protects this mm's CoW mappings
	 * (copy_page_range); GUP-fast pins check it (atomic) */
	unsigned int write_protect_seq;
	/* prctl(PR_SET_MEMORY_MERGE): MMF_VM_MERGE_ANY (ksm.c) */
	bool merge_any;
};
#define MMF_DISABLE_THP_COMPLETELY	1U
#define MMF_DISABLE_THP_EXCEPT_ADVISED	2U

/* the default RLIMIT_MEMLOCK (MLOCK_LIMIT): 8 MiB */
#define MLOCK_LIMIT	(8UL << 20)

#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYREAD	0x00000010UL
#define VM_MAYWRITE	0x00000020UL
#define VM_MAYEXEC	0x00000040UL
#define VM_MAYSHARE	0x00000080UL
#define VM_UFFD_MISSING	0x00000200UL
#define VM_MAYBE_GUARD	0x00000800UL	/* guard markers may have been installed */
#define VM_UFFD_WP	0x00001000UL
#define VM_LOCKED	0x00002000UL
#define VM_DONTCOPY	0x00020000UL
#define VM_DONTEXPAND	0x00040000UL
#define VM_LOCKONFAULT	0x00080000UL	/* lock pages when faulted in (mlock2 ONFAULT) */
#define VM_ACCOUNT	0x00100000UL
#define VM_NORESERVE	0x00200000UL
#define VM_SOFTDIRTY	0x08000000UL
#define VM_HUGEPAGE	0x20000000UL
#define VM_NOHUGEPAGE	0x40000000UL
#define VM_MERGEABLE	0x80000000UL	/* KSM may merge its pages (MADV_MERGEABLE) */
#define VM_WIPEONFORK	0x02000000UL
#define VM_DONTDUMP	0x04000000UL
#define VM_DROPPABLE	(1UL << 40)	/* MAP_DROPPABLE: dropped, never swapped */
#define VM_SEALED	(1UL << 42)	/* mseal: layout and protection fixed */
#define VM_UFFD_MINOR	(1UL << 41)	/* userfaultfd minor faults (shmem) */
#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)
#define VM_LOCKED_MASK	(VM_LOCKED | VM_LOCKONFAULT)
/* Sticky flags: once set they stay through split and merge, the merged VMA
 * has those of every part; they never keep two VMAs from merging. */
#define VM_STICKY	(VM_SOFTDIRTY | VM_MAYBE_GUARD)
#define VM_IGNORE_MERGE	VM_STICKY

struct anon_vma {
	int refcount;			/* atomic: chains, pages, child anon_vmas */
	struct anon_vma *root;
	struct rw_semaphore rwsem;	/* the root's guards every list in the tree */
	struct list_head head;		/* anon_vma_chains (same_anon_vma) */
};

/*
 * A shmem file's page cache and, the model having no inode apart from it,
 * the inode's fields: size, seals, and inode_lock (i_rwsem).  Every struct
 * file opened on the same memfd (dup, fork, a reopen through /proc) shares
 * it.
 */
struct address_space {
	spinlock_t lock;		/* i_pages stores, nrpages, swapped */
	struct rw_semaphore i_mmap_rwsem; /* i_mmap: VMAs mapping the file */
	struct list_head i_mmap;
	struct xarray i_pages;		/* a folio, a swap entry (odd), or NULL */
	unsigned long nrpages;
	unsigned long swapped;		/* slots holding a swap entry */
	struct rw_semaphore i_rwsem;	/* inode_lock: size changes, fallocate,
					 * seals */
	int64_t i_size;			/* bytes; changed under i_rwsem, read
					 * without it (READ_ONCE) */
	unsigned int seals;		/* F_SEAL_*: added under i_rwsem */
	unsigned int i_mode;		/* permission bits (0777, or 0666) */
	int i_mmap_writable;		/* atomic: VMAs that are shared and may
					 * write; negative once F_SEAL_WRITE
					 * denied them (mapping_deny_writable) */
	int refcount;			/* atomic: files open on it */
	bool disk;			/* a regular file on a disk filesystem
					 * (filemap.c): folios not swap-backed */
	struct xarray blocks;		/* disk: the written-back copy of each
					 * page (filemap.c), under lock */
};

/* struct file f_mode bits the model checks */
#define FMODE_READ	0x1
#define FMODE_WRITE	0x2

struct file {
	int refcount;			/* atomic */
	struct address_space *mapping;
	unsigned int f_mode;		/* FMODE_READ, FMODE_WRITE */
	char name[64];
	bool anon_shared;		/* MAP_SHARED|MAP_ANONYMOUS backing */
	/* a file that is not shmem's (no mapping): a pipe end (splice.c),
	 * an io_uring (io_uring_rsrc.c); release runs at the last fput */
	void *private_data;
	void (*release)(struct file *f);
};

/* ---- memory policies (mempolicy.c) ---- */
enum { MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE, MPOL_LOCAL,
       MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE, MPOL_MAX };
#define MPOL_F_STATIC_NODES	(1 << 15)	/* mode flags, in mbind's mode */
#define MPOL_F_RELATIVE_NODES	(1 << 14)
#define MPOL_F_NUMA_BALANCING	(1 << 13)
#define MPOL_MODE_FLAGS	(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING)
#define MPOL_F_MOF	(1 << 3)	/* internal: NUMA balancing may migrate */
#define MPOL_F_MORON	(1 << 4)	/* internal: migrate on protnone ref */
#define MPOL_MF_STRICT	(1 << 0)	/* mbind's flags */
#define MPOL_MF_MOVE	(1 << 1)
#define MPOL_MF_MOVE_ALL (1 << 2)
#define MPOL_MF_VALID	(MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)
#define MPOL_F_NODE	(1 << 0)	/* get_mempolicy's flags */
#define MPOL_F_ADDR	(1 << 1)
#define MPOL_F_MEMS_ALLOWED (1 << 2)
/* The kernel's MAX_NUMNODES (NODES_SHIFT 10, as this host's config): the
 * node mask the system calls accept; the machine has phys.nr_nodes. */
#define MPOL_MAX_NUMNODES	1024

/* A VMA's policy, held by value (the kernel's is a refcounted pointer that
 * split and fork duplicate): mode MPOL_DEFAULT means none. */
struct mempolicy {
	unsigned short mode, flags;
	unsigned long nodes;		/* a bit per node of the machine */
	unsigned long user_nodemask;	/* with a mode flag: as given */
};
bool mpol_equal(const struct mempolicy *a, const struct mempolicy *b);
struct page *vma_alloc_folio(struct vm_area_struct *v, unsigned long addr,
			     unsigned int order, unsigned int gfp);
long do_mbind(struct mm_struct *mm, unsigned long start, unsigned long len,
	      unsigned long mode, const unsigned long *nmask, unsigned long maxnode,
	      unsigned int flags);
struct mmlab_task;
long do_get_mempolicy(struct mmlab_task *t, int *policy, unsigned long *nmask,
		      unsigned long addr, unsigned long flags);
long do_set_mempolicy(struct mmlab_task *t, unsigned long mode, const unsigned long *nmask,
		      unsigned long maxnode);

struct vm_area_struct {
	struct range_node node;
#define vm_start node.start
#define vm_end node.end
	struct mm_struct *vm_mm;
	unsigned long vm_flags;
	pteval_t vm_page_prot;
	unsigned long vm_pgoff;
	struct file *vm_file;
	struct list_head shared;	/* in vm_file->mapping->i_mmap */
	struct anon_vma *anon_vma;
	struct list_head anon_vma_chain; /* anon_vma_chains (same_vma) */
	uint32_t luf_gen;		/* atomic: newest lazy unmap of its PTEs */
	struct rw_semaphore vm_lock;	/* per-VMA lock: faults read, writers write */
	struct mempolicy vm_policy;	/* mbind's; changed under mmap_write_lock */
};

/* mmap_lock for writing, with every VMA write-locked against faults that
 * run under a VMA lock alone. */
static inline void mmap_write_lock(struct mm_struct *mm)
{
	down_write(&mm->mmap_lock);
	down_write(&mm->vma_lock_all);
}
static inline void mmap_write_unlock(struct mm_struct *mm)
{
	up_write(&mm->vma_lock_all);
	up_write(&mm->mmap_lock);
}
/* With mmap_lock held for writing but not mmap_write_lock(): lock one VMA
 * against its faults (they finish first) until vma_end_write(). */
static inline void vma_start_write(struct vm_area_struct *v) { down_write(&v->vm_lock); }
static inline void vma_end_write(struct vm_area_struct *v) { up_write(&v->vm_lock); }

static inline bool vma_is_anonymous(const struct vm_area_struct *v) { return !v->vm_file; }
/* A shared mapping that may be made writable (the file was opened for
 * writing), whatever its protection now. */
static inline bool vma_flags_shared_maywrite(unsigned long vm_flags)
{
	return (vm_flags & (VM_SHARED | VM_MAYWRITE)) == (VM_SHARED | VM_MAYWRITE);
}
static inline bool vma_is_shared_maywrite(const struct vm_area_struct *v)
{
	return vma_flags_shared_maywrite(v->vm_flags);
}
static inline bool vma_is_shmem(const struct vm_area_struct *v) { return v->vm_file != NULL; }
static inline unsigned long vma_pages(const struct vm_area_struct *v)
{
	return (v->vm_end - v->vm_start) >> PAGE_SHIFT;
}
static inline unsigned long linear_page_index(const struct vm_area_struct *v,
					      unsigned long addr)
{
	return ((addr - v->vm_start) >> PAGE_SHIFT) + v->vm_pgoff;
}
static inline struct vm_area_struct *node_vma(struct range_node *n)
{
	return n ? container_of(n, struct vm_area_struct, node) : NULL;
}

/* vma.c */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *v);
struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *v);
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct vm_area_struct *v);
void vm_area_free(struct vm_area_struct *v);
void vma_link(struct mm_struct *mm, struct vm_area_struct *v);
void vma_unlink(struct mm_struct *mm, struct vm_area_struct *v);
int split_vma(struct vm_area_struct *v, unsigned long addr, int new_below);
/* split @v so that [start, end) inside it is a VMA of its own: it, or NULL */
struct vm_area_struct *vma_split_range(struct vm_area_struct *v, unsigned long start,
				       unsigned long end);
struct vm_area_struct *vma_merge_neighbours(struct vm_area_struct *v);
struct vm_area_struct *vma_merge_new_range(struct vm_area_struct *v);
struct vm_area_struct *vma_merge_extend(struct vm_area_struct *v, unsigned long delta);
pteval_t vm_get_page_prot(unsigned long vm_flags);
void vma_set_page_prot(struct vm_area_struct *v);
/* soft-dirty tracking is on and this VMA is not all soft-dirty: its writes
 * must fault so that they set the PTE's bit */
static inline bool vma_soft_dirty_enabled(struct vm_area_struct *v)
{
	return READ_ONCE(knobs.soft_dirty) && !(v->vm_flags & VM_SOFTDIRTY);
}
void anon_vma_put(struct anon_vma *av);
int anon_vma_prepare(struct vm_area_struct *v);
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src);
void unlink_anon_vmas(struct vm_area_struct *vma);

/* mmap.c */
int do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	    unsigned long prot, unsigned long flags, struct file *file,
	    unsigned long pgoff, unsigned long *out);
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
unsigned long mm_get_unmapped_area(struct mm_struct *mm, unsigned long hint,
				   unsigned long len, bool anon_private);
void exit_mmap(struct mm_struct *mm);
int populate_vma_page_range(struct vm_area_struct *v, unsigned long start, unsigned long end);
int populate_vma_range(struct vm_area_struct *v, unsigned long addr, unsigned long end,
		       unsigned int flags);

/* mremap.c: takes mmap_lock itself */
int do_mremap(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
	      unsigned long new_len, unsigned long flags, unsigned long new_addr,
	      unsigned long *out);

/* brk (mmap.c): returns the new break, or the old one when refused */
unsigned long do_brk(struct mm_struct *mm, unsigned long brk);
/* __mm_populate: fault in the range for mlock (errors stop it, as GUP's) or
 * for MAP_POPULATE and mlockall (@ignore_errors); VM_LOCKONFAULT VMAs are
 * skipped.  Takes mmap_lock for reading.  0, -ENOMEM, -EFAULT. */
int __mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len,
		  bool ignore_errors);

/* mlock.c: the system calls (they take mmap_lock themselves) and the
 * checks mmap and brk share */
int do_mlock(struct mm_struct *mm, unsigned long start, unsigned long len,
	     unsigned long flags);
int do_munlock(struct mm_struct *mm, unsigned long start, unsigned long len);
int do_mlockall(struct mm_struct *mm, int flags);
int do_munlockall(struct mm_struct *mm);
bool can_do_mlock(struct mm_struct *mm);
bool mlock_future_ok(struct mm_struct *mm, unsigned long flags, unsigned long bytes);

/* mprotect.c, madvise.c */
int vma_modify_flags(struct vm_area_struct *v, unsigned long start,
		     unsigned long end, unsigned long newflags);
int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len,
		unsigned long prot);
int do_madvise(struct mm_struct *mm, unsigned long start, unsigned long len,
	       int behavior);
bool process_madvise_remote_valid(int behavior);
long vector_madvise(struct mm_struct *mm, const struct mmlab_iovec *iov, size_t n,
		    int behavior);
/* thp_disable.c: the per-process THP switch and the prctl calls of the mm */
bool vma_thp_disabled(struct vm_area_struct *v, unsigned long vm_flags,
		      bool forced_collapse);
long mm_prctl(struct mm_struct *mm, int option, unsigned long a2, unsigned long a3,
	      unsigned long a4, unsigned long a5);
/* ksm.c: which VMAs KSM may work on, and its per-process switch */
bool ksm_compatible(unsigned long vm_flags);
unsigned long ksm_vma_flags(struct mm_struct *mm, unsigned long vm_flags);
long prctl_memory_merge(struct mm_struct *mm, int option, unsigned long a2,
			unsigned long a3, unsigned long a4, unsigned long a5);
/* mseal.c: the system call, and whether madvise may touch a VMA */
int do_mseal(struct mm_struct *mm, unsigned long start, unsigned long len,
	     unsigned long flags);
static inline bool vma_is_sealed(const struct vm_area_struct *v)
{
	return v->vm_flags & VM_SEALED;
}
bool can_madvise_modify(const struct vm_area_struct *v, int behavior);
/* msync.c */
int do_msync(struct mm_struct *mm, unsigned long start, unsigned long len, int flags);

/* ---- page tables (pgtable.c) ---- */
struct mm_struct *mm_alloc(void);
void mmdrop(struct mm_struct *mm);
pteval_t *pgd_offset(struct mm_struct *mm, unsigned long addr);
pteval_t *pud_offset(pteval_t *pgd, unsigned long addr);
pteval_t *pmd_offset(pteval_t *pud, unsigned long addr);
pteval_t *pud_alloc(struct mm_struct *mm, pteval_t *pgd, unsigned long addr);
pteval_t *pmd_alloc(struct mm_struct *mm, pteval_t *pud, unsigned long addr);
int __pte_alloc(struct mm_struct *mm, pteval_t *pmd);
spinlock_t *pmd_lockptr(pteval_t *pmd);
pteval_t *mm_find_pmd(struct mm_struct *mm, unsigned long addr);
pteval_t *pte_offset_map(pteval_t *pmd, unsigned long addr, pteval_t *pmdval);
pteval_t *pte_offset_map_lock(struct mm_struct *mm, pteval_t *pmd,
			      unsigned long addr, spinlock_t **ptlp);
void pte_unmap(pteval_t *pte);
void pte_unmap_unlock(pteval_t *pte, spinlock_t *ptl);
struct page *pte_alloc_one(struct mm_struct *mm);
void pte_free_rcu(struct page *table);
static inline void mm_inc_nr_ptes(struct mm_struct *mm) { atomic_add(&mm->pgtables_bytes, (long)PAGE_SIZE); }
static inline void mm_dec_nr_ptes(struct mm_struct *mm) { atomic_sub(&mm->pgtables_bytes, (long)PAGE_SIZE); }
static inline struct page *virt_to_table_page(pteval_t *p)
{
	return pfn_to_page(((uint8_t *)p - phys.bytes) >> PAGE_SHIFT);
}
static inline void add_mm_counter(struct mm_struct *mm, int member, long v)
{
	atomic_add(&mm->rss_stat[member], v);
}
static inline long get_mm_counter(struct mm_struct *mm, int member)
{
	return atomic_read(&mm->rss_stat[member]);
}
static inline unsigned long get_mm_rss(struct mm_struct *mm)
{
	return get_mm_counter(mm, MM_ANONPAGES) + get_mm_counter(mm, MM_FILEPAGES) +
	       get_mm_counter(mm, MM_SHMEMPAGES);
}
/* Raise the peaks before RSS or the address space shrinks. */
static inline void raise_hiwater(unsigned long *hw, unsigned long now)
{
	unsigned long old = READ_ONCE(*hw);

	while (now > old && !__atomic_compare_exchange_n(hw, &old, now, false,
							 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}
static inline void update_hiwater_rss(struct mm_struct *mm)
{
	raise_hiwater(&mm->hiwater_rss, get_mm_rss(mm));
}
static inline void update_hiwater_vm(struct mm_struct *mm)
{
	raise_hiwater(&mm->hiwater_vm, READ_ONCE(mm->total_vm));
}
static inline int mm_counter(struct page *p)
{
	if (PageAnon(p))
		return MM_ANONPAGES;
	return test_page_flag(p, PG_swapbacked) ? MM_SHMEMPAGES : MM_FILEPAGES;
}

/* ---- TLB flushing (tlbflush.c) ---- */
#define TLB_FLUSH_ALL	(~0UL)
/* @why: the vm event that counts the IPIs sent (model-only, by cause). */
void flush_tlb_mm_range_why(struct mm_struct *mm, unsigned long start,
			    unsigned long end, unsigned int stride_shift,
			    bool freed_tables, enum vm_event_item why);
static inline void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start,
				      unsigned long end, unsigned int stride_shift,
				      bool freed_tables)
{
	flush_tlb_mm_range_why(mm, start, end, stride_shift, freed_tables, MMLAB_IPIS_OTHER);
}
static inline void flush_tlb_range(struct vm_area_struct *v, unsigned long s,
				   unsigned long e)
{
	flush_tlb_mm_range(v->vm_mm, s, e, PAGE_SHIFT, false);
}
static inline void flush_tlb_mm(struct mm_struct *mm)
{
	flush_tlb_mm_range(mm, 0, TLB_FLUSH_ALL, 0, false);
}
void switch_mm(struct cpu *c, struct mm_struct *next);
void arch_tlbbatch_flush(cpumask_t mask);
void leave_mm_everywhere(struct mm_struct *mm);
static inline void inc_tlb_flush_pending(struct mm_struct *mm) { atomic_inc(&mm->tlb_flush_pending); }
static inline void dec_tlb_flush_pending(struct mm_struct *mm) { atomic_dec(&mm->tlb_flush_pending); }
static inline bool mm_tlb_flush_pending(struct mm_struct *mm) { return atomic_read(&mm->tlb_flush_pending) > 0; }
void tlbflush_init(void);

/* ---- mmu_gather (mmu_gather.c) ---- */
#define GATHER_LOCAL	64
#define GATHER_MAX	(1u << 20)	/* pages held before a forced flush */
struct mmu_gather {
	struct mm_struct *mm;
	unsigned long start, end;	/* range to flush; end 0 = nothing */
	bool fullmm, freed_tables;
	bool luf_skip;			/* unsafe_skip_munmap_flush applies */
	uint32_t luf_gen;		/* newest lazy unmap of the VMAs changed */
	enum vm_event_item ipi_why;	/* counts its IPIs: MMLAB_IPIS_ZAP by default */
	unsigned int nr_pages, cap;
	struct page **pages;		/* local, or grown on the heap */
	struct page *local[GATHER_LOCAL];
	struct list_head tables;	/* page-table frames to free by RCU */
};
void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm, bool fullmm);
void tlb_finish_mmu(struct mmu_gather *tlb);
void tlb_flush_mmu(struct mmu_gather *tlb);
void tlb_remove_tlb_entry(struct mmu_gather *tlb, unsigned long addr);
/* Returns true when the gather is full: flush before adding more. */
bool tlb_remove_page(struct mmu_gather *tlb, struct page *p);
void tlb_remove_table(struct mmu_gather *tlb, struct page *table);

/* ---- memory.c, unmap.c ---- */
/* The page a present PTE maps, or NULL for a special one (the zero page). */
static inline struct page *vm_normal_page(pteval_t v)
{
	if (pte_special(v))
		return NULL;
	return pfn_to_page(pte_pfn(v));
}

extern struct page *zero_page;
extern unsigned long zero_pfn;
struct zap_details {
	bool reclaim_pt;	/* free emptied PTE tables (MADV_DONTNEED) */
	bool drop_markers;	/* the mapping goes away: markers too */
	bool keep_cows;		/* unmap_mapping_range without even_cows:
				 * anonymous pages (private copies) stay */
};
void unmap_page_range(struct mmu_gather *tlb, struct vm_area_struct *v,
		      unsigned long start, unsigned long end,
		      struct zap_details *d);
bool try_to_free_pte(struct mmu_gather *tlb, pteval_t *pmd, unsigned long addr);
void free_pgtables(struct mmu_gather *tlb, struct mm_struct *mm,
		   unsigned long start, unsigned long end,
		   unsigned long floor, unsigned long ceiling);
int copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src);
#define FAULT_FLAG_WRITE	0x1
#define FAULT_FLAG_USER		0x2
#define VM_FAULT_OOM		0x1
#define VM_FAULT_SIGBUS		0x2
#define VM_FAULT_SIGSEGV	0x4
#define VM_FAULT_RETRY		0x8
#define VM_FAULT_USERFAULT	0x10	/* delivered to userfaultfd: answer, retry */
#define FAULT_FLAG_NO_UFFD	0x4	/* the handler's own fill: no userfault */
int handle_mm_fault(struct vm_area_struct *v, unsigned long addr, unsigned int flags);
int do_user_addr_fault(struct cpu *c, uint64_t addr, unsigned int error_code);
void page_remove_rmap(struct page *p, struct vm_area_struct *v);
pteval_t pte_mkwrite_prot(pteval_t v);
/* pte_mkdirty: Dirty, and soft-dirty when the mechanism is on (x86 sets both) */
static inline pteval_t pte_mkdirty(pteval_t v)
{
	return v | _PAGE_DIRTY | (READ_ONCE(knobs.soft_dirty) ? _PAGE_SOFT_DIRTY : 0);
}
int memory_init(void);
/* mm_forbids_zeropage: no shared zero page (nor huge zero page) for read
 * faults; some architectures and paravirtualized guests say so */
static inline bool mm_forbids_zeropage(struct mm_struct *mm)
{
	(void)mm;
	return READ_ONCE(knobs.forbids_zeropage);
}

/* ---- userfaultfd.c, and the protection walk it shares with mprotect ---- */
struct vm_fault;
int handle_userfault(struct mm_struct *mm, unsigned long addr, int kind);
int uffd_resolve(struct mm_struct *mm, unsigned long addr, int kind);
void userfaultfd_exit(struct mm_struct *mm);
int dup_userfaultfd(struct mm_struct *mm, struct mm_struct *oldmm);
bool userfaultfd_wp_unpopulated(struct vm_area_struct *v);
bool userfaultfd_event_remap(struct vm_area_struct *v);
void userfaultfd_remap_complete(struct mm_struct *mm, unsigned long from,
				unsigned long to, unsigned long len);
void userfaultfd_remove(struct vm_area_struct *v, unsigned long start, unsigned long end);
int uffd_fill_resolve(struct mm_struct *mm, unsigned long addr, int op);
bool userfaultfd_wp_async(struct vm_area_struct *v);
bool userfaultfd_wp_use_markers(struct vm_area_struct *v);
int uffd_wp_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		  bool on, bool check);
#define MM_CP_UFFD_WP		0x1
#define MM_CP_UFFD_WP_RESOLVE	0x2
int change_protection(struct mmu_gather *tlb, struct vm_area_struct *v,
		      unsigned long addr, unsigned long end, unsigned int cp_flags);
pteval_t pte_modify(pteval_t old, pteval_t newprot);
bool can_change_pte_writable(struct vm_area_struct *v, pteval_t pte);

/* pt_reclaim.c */
void pt_reclaim_return_to_user(struct mm_struct *mm);
int madvise_pt_reclaim(struct vm_area_struct *v, unsigned long start, unsigned long end);

/* numa_balancing.c */
void task_numa_return_to_user(struct mm_struct *mm);
bool task_scan_due(unsigned long *next_ms, unsigned long period_ms);
void numa_balancing_mode_changed(void);
void memory_tiering_init(void);
int do_numa_page(struct vm_area_struct *v, pteval_t *pmd, unsigned long addr, pteval_t orig);

/* ---- shmem.c ---- */
struct file *shmem_file_setup(const char *name, unsigned long size, bool anon_shared);
/* Another open file on @f's inode (open of /proc/self/fd/N) with @f_mode. */
struct file *shmem_file_reopen(struct file *f, unsigned int f_mode);
void fput(struct file *f);
/* api.c: the fd table of a process (p->lock): install @f at the lowest
 * free fd >= 3 (-EMFILE), the file at @fd with a reference (or NULL) */
struct mmlab_proc;
int fd_install(struct mmlab_proc *p, struct file *f);
struct file *fdget_any(struct mmlab_proc *p, int fd);
static inline void get_file(struct file *f) { atomic_inc(&f->refcount); }
/* Pages below i_size: a fault at or past it is SIGBUS. */
unsigned long shmem_size(struct file *f);
/* shmem_get_folio: what to do where the cache has no uptodate folio */
enum sgp_type {
	SGP_READ,	/* nothing: a hole (or a fallocated folio) reads as none */
	SGP_CACHE,	/* allocate (a fault), within i_size */
	SGP_FALLOC,	/* allocate, not uptodate (fallocate), even past i_size */
};
/* The folio at @index, read in from swap or allocated as @sgp says:
 * returned locked, with a reference (NULL in *out for SGP_READ's holes).
 * -EINVAL at or past i_size (but for SGP_FALLOC), -ENOMEM, -EIO. */
int shmem_get_folio(struct file *f, unsigned long index, enum sgp_type sgp,
		    struct page **out);
struct page *shmem_find_page(struct file *f, unsigned long index);
struct page *next_uptodate_folio(struct file *f, unsigned long *index, unsigned long end);
bool shmem_slot_holds(struct file *f, unsigned long index, struct page *frame);
bool shmem_slot_empty(struct file *f, unsigned long index);
/* ftruncate: -EPERM (seals) */
int shmem_setattr(struct file *f, int64_t newsize);
/* fallocate, after vfs_fallocate's checks: -EOPNOTSUPP, -EPERM, -ENOMEM */
#ifndef FALLOC_FL_KEEP_SIZE	/* the kernel's values (linux/falloc.h) */
#define FALLOC_FL_KEEP_SIZE	0x01
#define FALLOC_FL_PUNCH_HOLE	0x02
#endif
int shmem_fallocate(struct file *f, int mode, int64_t offset, int64_t len);
/* fallocate(2) on an open file: vfs_fallocate's checks, then shmem's */
int vfs_fallocate(struct file *f, int mode, int64_t offset, int64_t len);

/* ---- filemap.c: regular files on a disk filesystem ---- */
struct file *filemap_file_create(const char *name);
void filemap_read_folio(struct address_space *as, unsigned long index, struct page *folio);
int filemap_writeout(struct page *folio);
void filemap_truncate_blocks(struct address_space *as, int64_t lstart, int64_t lend);
void filemap_evict(struct address_space *as);
void filemap_account(struct address_space *as, long nr);
void filemap_readaround(struct file *f, unsigned long index, unsigned long vm_flags);
/* madvise's access hints (VM_SEQ_READ, VM_RAND_READ) */
#define VM_SEQ_READ	0x00008000UL
#define VM_RAND_READ	0x00010000UL
int64_t filemap_nr_pages(void);
long file_rw(struct file *f, int64_t pos, void *buf, size_t len, bool write);

/* memfd.c: seals (the kernel's values, as <fcntl.h> spells them) */
#ifndef F_SEAL_SEAL
#define F_SEAL_SEAL	0x0001
#define F_SEAL_SHRINK	0x0002
#define F_SEAL_GROW	0x0004
#define F_SEAL_WRITE	0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE	0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC	0x0020
#endif
int do_memfd_create(const char *name, unsigned int flags, struct file **out);
int memfd_add_seals(struct file *f, unsigned int seals);
int memfd_get_seals(struct file *f);
int memfd_check_seals_mmap(struct file *f, unsigned long *vm_flags);
/* i_mmap_writable: take one more shared writable mapping, unless denied */
int mapping_map_writable(struct address_space *as);
static inline void mapping_unmap_writable(struct address_space *as)
{
	atomic_dec(&as->i_mmap_writable);
}

/* unmap.c: unmap_mapping_range, by page index (@last inclusive); with
 * @even_cows the private copies (CoW) of those pages go too */
void unmap_mapping_pages(struct address_space *as, unsigned long first,
			 unsigned long last, bool even_cows);
void unmap_mapping_folio(struct page *folio);

/* ---- the process side (proc.c): tasks and fds ---- */
struct mmlab_proc {
	int pid;
	struct list_head node_all;	/* all processes, under proc_lock */
	struct mm_struct *mm;
	struct mmlab_task *main;
	struct list_head tasks;
	spinlock_t lock;		/* tasks list, fd table, task policies */
	struct file *fds[64];
};
struct mmlab_task {
	struct mmlab_proc *proc;
	unsigned int cpu;
	struct list_head node;
	/* set_mempolicy's task policy (MPOL_DEFAULT: none): written by the
	 * task itself under proc->lock, copied under it by fork and by a new
	 * thread; the task reads its own without it */
	struct mempolicy mempolicy;
};

/* The task that entered this host thread's CPU (task_enter), or NULL:
 * the kernel's current for the task policy. */
extern __thread struct mmlab_task *current_task;

/* Enter the task's CPU with its mm loaded; leave. */
void task_enter(struct mmlab_task *t);
void task_leave(struct mmlab_task *t);
/* For calls with no task (pagemap, status): any CPU is fine, none needed. */

void exit_all_procs(void);
struct mm_struct *mm_of_pid(int pid);	/* fork.c: NULL for none */

/* task_mmu.c */
int pagemap_read(struct mm_struct *mm, unsigned long addr, unsigned long npages,
		 uint64_t *out);

extern uint64_t next_context_id;

#endif
