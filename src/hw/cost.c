/*
 * cost.c - the cost model's one table: simulated cycles per event, at a
 * nominal 3 GHz, and where each figure comes from.  Experiments report both
 * event counts and the simulated time these figures give.
 *
 * Each CPU has its own clock (struct cpu's cycles), advanced by the events
 * it runs: TLB hits and page walks (hw/mmu.c), the exception of a page
 * fault (hw/mmu.c), single-page and full TLB flushes (mm/tlbflush.c,
 * mm/luf.c), sending an IPI and taking one (hw/cpu.c), clearing a page
 * (every __GFP_ZERO allocation, mm/page_alloc.c, and a zero-filled swap-in)
 * and copying one (copy_highpage: migration, CoW, collapse), and the memory
 * accesses of a task (mm/api.c: the node's latency per page piece, one
 * cycle per 64 bytes).  The clock is owner-only state: only the thread that
 * is the CPU advances it.  Kernel threads (kswapd, the RCU callback thread)
 * own no CPU, and their work is on no clock.  A run's simulated time is its
 * makespan: the largest advance of any CPU's clock.
 */
#include "cost.h"

const struct cost_entry cost_table[NR_COST_EVENTS] = {
	[COST_TLB_L1_HIT] = { "tlb_l1_hit", 1,
		"Intel optimization manual: L1 dTLB hit is folded into the load latency" },
	[COST_TLB_L2_HIT] = { "tlb_l2_hit", 9,
		"Intel optimization manual (Skylake): STLB hit adds ~9 cycles" },
	[COST_PAGE_WALK] = { "page_walk", 30,
		"Bhattacharjee & Lustig, Architectural and OS Support for Virtual Memory (2017): 20-40 cycles with PWC hits" },
	[COST_PAGE_FAULT] = { "page_fault", 1000,
		"Amit, ATC'17 and common measurements: ~300 ns exception round trip" },
	[COST_FLUSH_ONE] = { "invlpg", 200,
		"Amit, ATC'17: INVLPG costs ~100-250 cycles" },
	[COST_FLUSH_ALL] = { "flush_all", 500,
		"Amit, ATC'17: full flush plus refill penalty, a few hundred cycles" },
	[COST_IPI_SEND] = { "ipi_send", 3000,
		"Amit, ATC'17: a shootdown's base cost at the initiator, ~1 us" },
	[COST_IPI_RECV] = { "ipi_recv", 600,
		"Amit, ATC'17: ~200 ns of interrupt handling per receiving CPU" },
	[COST_PAGE_ZERO] = { "page_zero", 300,
		"clear_page with rep stosb at ~16 B/cycle" },
	[COST_PAGE_COPY] = { "page_copy", 600,
		"copy_page at ~8 B/cycle" },
};

uint64_t cost_mem_access(unsigned int node_latency_ns)
{
	return (uint64_t)node_latency_ns * 3;
}
