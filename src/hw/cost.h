/*
 * cost.h - the cost model: simulated cycles charged to a CPU per event.
 * The figures and their sources are one table in cost.c.
 */
#ifndef MMLAB_HW_COST_H
#define MMLAB_HW_COST_H

#include <stdint.h>

enum cost_event {
	COST_TLB_L1_HIT,
	COST_TLB_L2_HIT,
	COST_PAGE_WALK,		/* a 4-level walk that misses the caches */
	COST_PAGE_FAULT,	/* exception entry/exit, not the handler's work */
	COST_FLUSH_ONE,		/* INVLPG */
	COST_FLUSH_ALL,		/* CR3 write / INVPCID all */
	COST_IPI_SEND,		/* initiator: send and wait for the ack */
	COST_IPI_RECV,		/* target: interrupt entry, handler, exit */
	COST_PAGE_ZERO,		/* clear a 4 KiB page */
	COST_PAGE_COPY,		/* copy a 4 KiB page */
	NR_COST_EVENTS
};

struct cost_entry {
	const char *name;
	uint64_t cycles;
	const char *source;
};

extern const struct cost_entry cost_table[NR_COST_EVENTS];
/* Cycles per access to memory of a node: latency_ns at 3 GHz. */
uint64_t cost_mem_access(unsigned int node_latency_ns);

#endif
