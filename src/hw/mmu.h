/*
 * mmu.h - the hardware page walker and the access path of a CPU:
 * TLB hit, else walk the x86-64 tables from cr3 and fill, else raise a page
 * fault into the kernel's handler (mm/ registers hw_page_fault).
 *
 * The walker reads tables with atomic loads and sets Accessed and Dirty with
 * atomic ORs, as hardware does; it runs inside an RCU read-side section so a
 * table freed by RCU is never read after it is freed.
 *
 * The stale-TLB detector (hw_stale_check): on every TLB hit the entry is
 * compared with what the tables say now and with its frame's use generation;
 * a mismatch is passed to hw_stale_hook (mm/ decides whether it is a report:
 * a flush may legitimately be in flight), and the access then goes through a
 * fresh walk.
 */
#ifndef MMLAB_HW_MMU_H
#define MMLAB_HW_MMU_H

#include "cpu.h"
#include "pgtable.h"

/* x86 page-fault error code bits */
#define X86_PF_PROT	0x1	/* the leaf was present: a protection fault */
#define X86_PF_WRITE	0x2
#define X86_PF_USER	0x4

struct walk_result {
	unsigned long pfn;	/* the 4 KiB frame of va */
	bool writable;		/* RW at every level */
	bool dirty;
	bool huge;		/* a PMD leaf */
};

enum stale_kind {
	STALE_FRAME_FREED = 1,	/* the frame was freed (or reused) since fill */
	STALE_UNMAPPED,		/* the tables no longer map va */
	STALE_REMAPPED,		/* they map va to another frame */
	STALE_WRITE_RO,		/* a write through a writable entry of a now
				 * read-only mapping */
};

/* Returns 0 to retry the access, or a signal number (7, 11). */
extern int (*hw_page_fault)(struct cpu *c, uint64_t addr, unsigned int error_code);
/* Returns true when the mismatch is reported as a stale access. */
/* every TLB fill by the walker, when set (a debugging trace) */
extern void (*hw_fill_hook)(struct cpu *c, uint64_t va, uint64_t pfn, uint16_t asid,
			    uint32_t fill_seq);
extern bool (*hw_stale_hook)(struct cpu *c, uint64_t addr, enum stale_kind kind,
			     const struct tlb_entry *e, bool write);
extern bool hw_stale_check;

/* Walk cr3's tables for va.  Returns 0 and fills *r, or a page-fault error
 * code (X86_PF_*; 0 is never an error code here, see below).  With set_ad,
 * sets Accessed (and Dirty for a write) on the leaf. */
#define WALK_OK		(-1)
int hw_walk(unsigned long cr3, uint64_t va, bool write, bool set_ad,
	    struct walk_result *r);

/*
 * Translate va for an access by CPU @c: returns the host address of the byte
 * at va, valid for the rest of va's 4 KiB page until the CPU's next
 * interrupt point.  On a fatal fault returns NULL with *sig set.
 */
void *hw_translate(struct cpu *c, uint64_t va, bool write, int *sig);

/* The access path's counters, summed over the CPUs. */
struct hw_tlb_stats {
	uint64_t l1_hits, l2_hits, misses, walks;
};
void hw_tlb_stats(struct hw_tlb_stats *st);

/* Bump an owner-only per-CPU counter (readers may load it concurrently). */
static inline void cpu_count(uint64_t *v, uint64_t n)
{
	__atomic_store_n(v, *v + n, __ATOMIC_RELAXED);
}

#endif
