/*
 * luf_trace.c - a debugging aid for LUF (models nothing in the kernel): a
 * ring of the last LUF events (lazy unmaps, flushes and whom they reached,
 * context switches, zaps that noted a VMA's generation, TLB fills), kept
 * only when MMLAB_LUF_TRACE=1, and printed beside a stale-TLB report so a
 * rare report comes with the history that led to it.
 *
 * Locks: none.  Slots are claimed with an atomic counter; a slot being
 * rewritten while it is printed shows as a torn line, which is acceptable
 * for a debug dump (the ring is off in the test suite's TSan runs).
 */
#include <stdio.h>
#include <stdlib.h>
#include "swap.h"

#define LUF_TRACE_SIZE	(1 << 18)

struct luf_ev {
	uint64_t seq;
	enum luf_ev_type type;
	int cpu;
	uint64_t a, b, c, d;
	const void *p, *q;
};

static struct luf_ev ring[LUF_TRACE_SIZE];
static uint64_t ring_seq;		/* atomic */
bool luf_trace_on;

void luf_trace_init(void)
{
	const char *s = getenv("MMLAB_LUF_TRACE");

	luf_trace_on = s && *s == '1';
	__atomic_store_n(&ring_seq, 0, __ATOMIC_RELAXED);
	memset(ring, 0, sizeof(ring));
}

void luf_trace_ev(enum luf_ev_type type, uint64_t a, uint64_t b, uint64_t c,
		  uint64_t d, const void *p, const void *q)
{
	uint64_t s = __atomic_add_fetch(&ring_seq, 1, __ATOMIC_SEQ_CST);
	struct luf_ev *e = &ring[s % LUF_TRACE_SIZE];
	struct cpu *self = this_cpu();

	e->type = type;
	e->cpu = self ? (int)self->id : -1;
	e->a = a;
	e->b = b;
	e->c = c;
	e->d = d;
	e->p = p;
	e->q = q;
	__atomic_store_n(&e->seq, s, __ATOMIC_RELEASE);
}

static void print_ev(const struct luf_ev *e)
{
	switch (e->type) {
	case LUF_EV_TTU:
		fprintf(stderr, "  #%lu cpu%d ttu pfn %lu addr 0x%lx g %lu mask %lx mm %p vma %p\n",
			e->seq, e->cpu, e->a, e->b, e->c, e->d, e->p, e->q);
		break;
	case LUF_EV_FLUSH:
		fprintf(stderr, "  #%lu cpu%d flush gen %lu targets %lx upto %lu why %lu\n",
			e->seq, e->cpu, e->a, e->b, e->c, e->d);
		break;
	case LUF_EV_SWITCH:
		fprintf(stderr, "  #%lu cpu%d switch_mm to %p asid %lu luf %lu flush %lu\n",
			e->seq, e->cpu, e->p, e->a, e->b, e->c);
		break;
	case LUF_EV_TLB_VMA:
		fprintf(stderr, "  #%lu cpu%d zap notes vma %p [0x%lx-0x%lx) luf_gen %lu mm %p\n",
			e->seq, e->cpu, e->q, e->a, e->b, e->c, e->p);
		break;
	case LUF_EV_KEY:
		fprintf(stderr, "  #%lu cpu%d key pfn %lu := %lu (%s)\n", e->seq, e->cpu, e->a,
			e->b, (const char *)e->p);
		break;
	case LUF_EV_PAGE:
		fprintf(stderr, "  #%lu cpu%d page %lu %s %lu\n", e->seq, e->cpu, e->a,
			(const char *)e->p, e->b);
		break;
	case LUF_EV_FILL:
		fprintf(stderr, "  #%lu cpu%d tlb fill va 0x%lx pfn %lu asid %lu fill_seq %lu\n",
			e->seq, e->cpu, e->a, e->b, e->c, e->d);
		break;
	}
}

/* The events about frame @pfn, address @addr or CPU @cpu, oldest first. */
void luf_trace_dump(unsigned long pfn, unsigned long addr, unsigned int cpu)
{
	uint64_t end = __atomic_load_n(&ring_seq, __ATOMIC_ACQUIRE);
	uint64_t start = end > LUF_TRACE_SIZE ? end - LUF_TRACE_SIZE + 1 : 1;
	unsigned long page = addr & ~(PAGE_SIZE - 1);

	if (!luf_trace_on)
		return;
	fprintf(stderr, "mmlab: LUF trace (events %lu..%lu about pfn %lu, 0x%lx, cpu %u):\n",
		start, end, pfn, page, cpu);
	for (uint64_t s = start; s <= end; s++) {
		const struct luf_ev *e = &ring[s % LUF_TRACE_SIZE];
		bool show;

		if (__atomic_load_n(&e->seq, __ATOMIC_ACQUIRE) != s)
			continue;
		switch (e->type) {
		case LUF_EV_TTU:
			show = e->a == pfn || (e->b & ~(PAGE_SIZE - 1)) == page;
			break;
		case LUF_EV_FLUSH:
			show = (e->b >> cpu) & 1;
			break;
		case LUF_EV_SWITCH:
			show = e->cpu == (int)cpu;
			break;
		case LUF_EV_TLB_VMA:
			show = page >= e->a && page < e->b;
			break;
		case LUF_EV_KEY:
			show = e->a == pfn;
			break;
		case LUF_EV_PAGE:
			show = e->a == pfn || e->b == pfn;
			break;
		case LUF_EV_FILL:
			show = e->b == pfn || (e->a & ~(PAGE_SIZE - 1)) == page;
			break;
		default:
			show = false;
		}
		if (show)
			print_ev(e);
	}
}
