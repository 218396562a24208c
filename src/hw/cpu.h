/*
 * cpu.h - simulated CPUs and inter-processor interrupts.
 *
 * A simulated CPU is whichever host thread currently owns it: a thread
 * becomes CPU n with cpu_enter(n) and stops being it with cpu_exit().  Only
 * the owner touches the CPU's TLB, registers (cr3, asid), tlbstate and
 * per-CPU lists; ownership is an atomic flag taken with acquire and given
 * back with release.  A host thread owns at most one CPU, except that an
 * IPI sender may briefly own an idle target to run the handler on its behalf
 * (an idle CPU takes the interrupt at once).
 *
 * IPIs: smp_call_function_many() queues a call in each target's mailbox and
 * waits until every target has run it.  A target runs its mailbox at its
 * interrupt points: between accesses, in every lock wait (lib_wait_hook),
 * and before it is given up.  A sender polls its own mailbox while it waits,
 * so two CPUs that interrupt each other both make progress.
 */
#ifndef MMLAB_HW_CPU_H
#define MMLAB_HW_CPU_H

#include <stdint.h>
#include "lib/compiler.h"
#include "tlb.h"
#include "cost.h"

#define NR_CPUS		64
#define TLB_NR_DYN_ASIDS 6	/* as x86 Linux uses per CPU */
#define CPU_MBOX_SIZE	NR_CPUS

struct cpu;
typedef uint64_t cpumask_t;	/* NR_CPUS bits */

/* x86's per-CPU TLB state (cpu_tlbstate); the policy is mm/tlbflush.c's. */
struct cpu_tlbstate {
	void *loaded_mm;		/* struct mm_struct * */
	uint16_t loaded_asid;
	bool is_lazy;
	uint16_t next_asid;
	struct {
		uint64_t ctx_id;	/* mm's unique id; 0 = free slot */
		uint64_t tlb_gen;	/* mm generation this ASID is flushed to */
		uint32_t luf_gen;	/* mm's newest lazy unmap when loaded (mm/luf.c) */
	} ctxs[TLB_NR_DYN_ASIDS];
};

struct ipi_call {
	void (*func)(struct cpu *target, void *info);
	void *info;
	int pending;			/* targets yet to run it */
};

struct cpu {
	unsigned int id;
	int owner;			/* 1 while a host thread is this CPU */
	int ipi_pending;		/* mailbox not empty */
	int mbox_lock;			/* raw lock: no interrupt polling inside */
	unsigned int nr_mbox;
	struct ipi_call *mbox[CPU_MBOX_SIZE];

	/* owner-only state, on cache lines of its own: other CPUs write
	 * the mailbox above, and the neighbouring struct cpu is another's */
	struct tlb tlb __attribute__((aligned(64)));
	unsigned long cr3;		/* pfn of the PGD in use */
	uint16_t asid;			/* PCID in use */
	struct cpu_tlbstate tlbstate;
	uint64_t cycles;
	/* the access path's counters: written by the owner only (relaxed
	 * atomic stores, no locked instruction), summed by readers */
	uint64_t tlb_l1_hits, tlb_l2_hits, tlb_misses, page_walks;
	void *pcp;			/* mm/page_alloc.c per-CPU lists */
	int irqs_off;			/* local_irq_disable() depth */
} __attribute__((aligned(64)));

struct cpu_config {
	unsigned int nr_cpus;
	unsigned int l1_4k, l1_4k_ways, l1_2m, l1_2m_ways, l2, l2_ways;
	bool pcid;
};

extern struct cpu *cpus;
extern unsigned int nr_cpu_ids;
extern bool cpu_has_pcid;
extern __thread struct cpu *cur_cpu;

int cpus_init(const struct cpu_config *cfg);
void cpus_exit(void);

static inline struct cpu *this_cpu(void) { return cur_cpu; }
static inline struct cpu *cpu_of(unsigned int id) { return &cpus[id]; }

/* Become CPU @id (waits while another thread is it). */
void cpu_enter(unsigned int id);
void cpu_exit(void);

/* Run pending IPIs of @c; the caller owns @c. */
void cpu_service_ipis(struct cpu *c);
/* An interrupt point of the current CPU (cheap when nothing is pending).
 * Nothing is taken while interrupts are disabled. */
static inline void cpu_poll(void)
{
	struct cpu *c = cur_cpu;

	if (c && unlikely(READ_ONCE(c->ipi_pending)) && !c->irqs_off)
		cpu_service_ipis(c);
}

/* local_irq_disable/enable: no IPI handler runs on this CPU in between (the
 * kernel's per-CPU data rule).  A section with interrupts off must never
 * wait for another CPU's acknowledgement. */
static inline void local_irq_disable(void)
{
	if (cur_cpu)
		cur_cpu->irqs_off++;
}

static inline void local_irq_enable(void)
{
	if (cur_cpu)
		cur_cpu->irqs_off--;
}

/*
 * Run @func(target, info) on every CPU in @mask except the caller's, and wait
 * for all of them.  Returns the number of CPUs interrupted.
 */
unsigned int smp_call_function_many(cpumask_t mask,
				    void (*func)(struct cpu *, void *), void *info);

static inline void cpu_charge(struct cpu *c, enum cost_event ev)
{
	c->cycles += cost_table[ev].cycles;
}

#endif
