/*
 * tlb.h - one CPU's translation lookaside buffers: an L1 dTLB for 4 KiB
 * entries, one for 2 MiB entries, and a second-level TLB holding both sizes,
 * each set-associative with LRU replacement.  Entries are tagged with a
 * PCID (asid) when PCID is on.
 *
 * A TLB belongs to its CPU: only the host thread that owns the CPU (see
 * cpu.h) reads or changes it, so there are no locks here.
 *
 * An entry remembers the frame it maps and that frame's use generation at
 * fill time, and how it was filled, for the stale-TLB detector.
 */
#ifndef MMLAB_HW_TLB_H
#define MMLAB_HW_TLB_H

#include <stdint.h>
#include <stdbool.h>

#define TLB_VALID	0x01
#define TLB_WRITE	0x02	/* writable through every level */
#define TLB_DIRTY	0x04	/* the leaf had D set: a write needs no walk */
#define TLB_HUGE	0x08	/* 2 MiB entry */

enum tlb_fill { TLB_FILL_WALK = 1, TLB_FILL_AFTER_FAULT = 2 };

struct tlb_entry {
	uint64_t vpn;		/* va >> 12, or va >> 21 for a huge entry */
	uint64_t pfn;		/* first frame */
	uint32_t gen;		/* frame use generation at fill */
	uint32_t stamp;		/* LRU clock */
	uint16_t asid;
	uint8_t flags;
	uint8_t fill;		/* enum tlb_fill */
	uint32_t fill_seq;	/* CPU-local sequence number of the fill */
};

struct tlb_array {
	struct tlb_entry *e;
	unsigned int sets, ways, set_mask;	/* set_mask: sets - 1 if pow2, else 0 */
};

/* The replay's short path (mm/access_run.c): a direct-mapped table by page
 * number of the L1 4 KiB entries of one asid, like a software MMU's.  tag[w]
 * is vpn when the entry serves a read (w = 0) or a write (w = 1, the entry
 * has D) without a walk, TLB_FAST_NONE otherwise (no page number is all
 * ones).  Every change to an L1 4 KiB entry clears its line (tlb.c), so a
 * matching tag is an L1 hit. */
#define TLB_FAST_SIZE	256
#define TLB_FAST_NONE	(~0ULL)
struct tlb_fast {
	uint64_t tag[2];
	struct tlb_entry *e;
	uint64_t cost;		/* cycles of a hit on it: L1 hit and memory */
};

struct tlb {
	struct tlb_array l1_4k, l1_2m, l2;
	struct tlb_fast fast[TLB_FAST_SIZE];
	uint16_t fast_asid;	/* the asid the table holds entries of */
	uint32_t clock, fill_seq;
	uint32_t nr_huge;	/* huge entries may exist: search the 2 MiB sets */
};

int tlb_init(struct tlb *t, unsigned int l1_4k, unsigned int l1_4k_ways,
	     unsigned int l1_2m, unsigned int l1_2m_ways, unsigned int l2,
	     unsigned int l2_ways);
void tlb_free(struct tlb *t);

/* Lookup of va for asid: the entry (4 KiB or 2 MiB) or NULL. *l2_hit tells
 * whether it came from the second level (then it was copied into L1). */
struct tlb_entry *tlb_lookup(struct tlb *t, uint64_t va, uint16_t asid, bool *l2_hit);
/* Insert after a miss: the caller guarantees no entry for va exists. */
void tlb_insert(struct tlb *t, uint64_t va, uint16_t asid, uint64_t pfn,
		uint32_t gen, uint8_t flags, uint8_t fill);
void tlb_invalidate_entry(struct tlb *t, struct tlb_entry *e);
void tlb_flush_one(struct tlb *t, uint16_t asid, uint64_t va);
void tlb_flush_asid(struct tlb *t, uint16_t asid);
void tlb_flush_all(struct tlb *t);
/* The L1 4 KiB entry of va for asid, or NULL (no LRU update). */
struct tlb_entry *tlb_find_l1(struct tlb *t, uint64_t va, uint16_t asid);
/* Note va's L1 4 KiB entry in the fast table (after an access through it);
 * a table of another asid is emptied first. */
void tlb_fast_note(struct tlb *t, uint64_t va, uint16_t asid, uint64_t cost);
/* Entries currently valid (for tests). */
unsigned int tlb_count(struct tlb *t);

#endif
