/*
 * phys.h - physical memory of the simulated machine: frames of 4 KiB in
 * NUMA nodes, each with its struct page, and the frames' bytes.
 *
 * struct page is the model's per-frame metadata, at most 64 bytes as in the
 * kernel.  Its fields are owned by mm/ (who may change what is stated at each
 * field); hw/ only lays them out and maps pfns to pages and bytes.
 *
 * Frame bytes live in one host mapping made with MAP_NORESERVE, so a frame
 * never touched costs the host nothing.  In no-data mode user data is not
 * stored (reads see zeroes); page tables are always stored.
 *
 * `gen` is the frame's use generation: it changes every time the frame is
 * freed, so a TLB entry that remembers (pfn, gen) can tell whether the frame
 * it points at is still the same use of that frame.
 */
#ifndef MMLAB_HW_PHYS_H
#define MMLAB_HW_PHYS_H

#include <stdint.h>
#include "lib/compiler.h"
#include "lib/list.h"
#include "lib/lock.h"
#include "lib/rcu.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define MAX_NUMNODES	8

struct page {
	unsigned long flags;		/* PG_* bits (atomic ops), node id */
	union {
		struct list_head lru;	/* LRU, buddy free list, pcp list, gather */
		struct {		/* on the unevictable LRU: on no list */
			void *__filler;
			unsigned int mlock_count;	/* VM_LOCKED mappings, about */
		};
		struct rcu_head rcu_head; /* page-table frame freed by RCU */
		struct {		/* first tail page of a large folio */
			int _entire_mapcount;	/* PMD mappings, -1 based */
			int _large_mapcount;	/* all mappings, -1 based */
			int _mm_id_mapcount[2];	/* per tracked mm, -1 based */
		};
	};
	void *mapping;			/* anon: anon_vma | PAGE_MAPPING_ANON;
					 * shmem: address_space; table: owning mm */
	unsigned long index;		/* pgoff in mapping; table: base address */
	unsigned long private;		/* buddy order; table: entries in use;
					 * swap entry; first tail: folio order
					 * and mm ids (mm/folio.c) */
	int _refcount;			/* atomic */
	int _mapcount;			/* atomic, -1 when unmapped */
	unsigned int gen;		/* bumped at every free */
	union {
		spinlock_t ptl;		/* split page-table lock of a table frame */
		int _pincount;		/* first tail of a large folio: FOLL_PIN
					 * pins (atomic; mm/gup.c) */
	};
};
BUILD_BUG_ON(sizeof(struct page) > 64);

struct phys_node {
	unsigned long start_pfn, nr_frames;
	unsigned int latency_ns;
	bool slow;
};

struct phys_mem {
	unsigned long nr_frames;
	struct page *pages;		/* mem_map */
	uint8_t *bytes;			/* frame data */
	size_t bytes_len, pages_len;
	unsigned int nr_nodes;
	struct phys_node node[MAX_NUMNODES];
	bool no_data;
};

extern struct phys_mem phys;

static inline struct page *pfn_to_page(unsigned long pfn) { return phys.pages + pfn; }
static inline unsigned long page_to_pfn(const struct page *p) { return p - phys.pages; }
static inline bool pfn_valid(unsigned long pfn) { return pfn < phys.nr_frames; }
/* Frame bytes; always backed (page tables live here even in no-data mode). */
static inline void *pfn_to_virt(unsigned long pfn)
{
	return phys.bytes + (pfn << PAGE_SHIFT);
}
static inline void *page_address(const struct page *p) { return pfn_to_virt(page_to_pfn(p)); }

#define NODE_SHIFT	56
static inline int page_to_nid(const struct page *p)
{
	return (int)(READ_ONCE(p->flags) >> NODE_SHIFT) & 7;
}

int phys_init(unsigned int nr_nodes, const uint64_t *node_bytes,
	      const unsigned int *latency_ns, const bool *slow, bool no_data);
void phys_exit(void);

/* Word-wise copy/clear of frame bytes, atomic per 8 bytes so that
 * concurrent user accesses of other CPUs are not data races. */
void frame_copy(unsigned long dst_pfn, unsigned long src_pfn);
void frame_clear(unsigned long pfn);

#endif
