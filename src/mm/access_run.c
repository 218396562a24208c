/*
 * access_run.c - mmlab_access_run(): a run of data-less accesses by one
 * task, as a recorded program made them (the replay's hot path).
 *
 * Each access is what mmlab_touch() makes of it: one translation per 4 KiB
 * page it covers (hw_translate: IPIs polled, TLB lookup, walk, fault), the
 * memory's cycles charged to the CPU.  The run enters the task's CPU once,
 * and return-to-user task work runs once, at its end.
 *
 * The short path: with the stale-TLB detector off and outside
 * deterministic mode, an access within one page whose entry sits in the L1
 * 4 KiB TLB is served from the CPU's fast table (struct tlb_fast, kept
 * exact by tlb.c), doing what hw_translate's L1 hit does: LRU stamp, the
 * CPU's L1 hit counter, the hit's and the memory's cycles.  Everything
 * else takes the full path, which notes the entry it leaves in L1 for the
 * next access.  The owner of the CPU is the
 * only one touching its TLB and memo: no lock.
 */
#include "internal.h"
#include "hw/cost.h"

static uint64_t mem_cycles(unsigned long pfn)
{
	return cost_mem_access(phys.node[page_to_nid(pfn_to_page(pfn))].latency_ns);
}

/* The full path for one access; notes its L1 entry in the memo. */
static int access_slow(struct cpu *c, uint64_t va, uint32_t size, bool write,
		       uint64_t *fault_addr)
{
	uint64_t end = va + (size ? size : 1);

	for (uint64_t p = va; p < end; p = ALIGN_DOWN(p, PAGE_SIZE) + PAGE_SIZE) {
		uint64_t n = min(end - p, PAGE_SIZE - (p & (PAGE_SIZE - 1)));
		int sig = 0;
		uint8_t *h = p < TASK_SIZE ? hw_translate(c, p, write, &sig) : NULL;
		unsigned long pfn;

		if (!h) {
			if (fault_addr)
				*fault_addr = p;
			return sig ? sig : MMLAB_SIGSEGV;
		}
		pfn = ((uintptr_t)h - (uintptr_t)phys.bytes) >> PAGE_SHIFT;
		c->cycles += mem_cycles(pfn) + n / 64;
		tlb_fast_note(&c->tlb, p, c->asid,
			      cost_table[COST_TLB_L1_HIT].cycles + mem_cycles(pfn));
	}
	return 0;
}

/*
 * The short path over v[0..n): stops at the first access that is not an L1
 * 4 KiB hit within one page (its tag in the fast table, see tlb.h), or when
 * an IPI is pending; returns how many it made.  The LRU clock and the
 * cycles are kept in registers and stored at the end.
 *
 * What each hit costs, and why (the instructions that remain):
 * - the access's address, size and direction: three loads;
 * - the line: indexed by the page of the access's last byte and compared
 *   with the page of its first, so one compare tells both "in the fast
 *   table" and "within one page" (an access that crosses a page indexes
 *   the line of the next page, which cannot hold its first page's tag:
 *   lines are direct-mapped by page number); a size of a page or more
 *   (which could wrap around the table) takes the full path;
 * - the LRU stamp of the entry (the TLB's replacement order; a pointer
 *   load and a store) and the clock's increment;
 * - the cycles: the line's cost (L1 hit + memory) and one cycle per 64
 *   bytes moved;
 * - the loop: pointer, bound, branch, once per two accesses.
 * IPIs are polled once per FAST_CHUNK accesses, not per access: a CPU
 * takes an interrupt at an instruction boundary some time after it is
 * raised, and the sender waits for it either way (an entry is used until
 * the flush runs, on hardware as here).
 */
#define FAST_CHUNK	32

/* One access of the short path: false when it is not an L1 hit in one page. */
static inline bool fast_hit(struct tlb *tlb, const struct mmlab_access *a, uint32_t *clock,
			    uint64_t *cycles)
{
	uint64_t va = a->addr, size = a->size;
	const struct tlb_fast *f =
		&tlb->fast[((va + size - 1) >> PAGE_SHIFT) & (TLB_FAST_SIZE - 1)];

	/* the line's address in a register: its tag, entry and cost are
	 * then one addressing mode each */
	__asm__("" : "+r"(f));
	if (f->tag[a->write & 1] != va >> PAGE_SHIFT || size >= PAGE_SIZE)
		return false;
	f->e->stamp = ++*clock;
	*cycles += f->cost + (size >> 6);
	return true;
}

static size_t run_fast(struct cpu *c, const struct mmlab_access *v, size_t n)
{
	struct tlb *tlb = &c->tlb;
	const struct mmlab_access *a = v, *end = v + n;
	uint64_t cycles = 0;
	uint32_t clock = tlb->clock;

	if (tlb->fast_asid != c->asid)
		return 0;
	while (a < end && likely(!READ_ONCE(c->ipi_pending))) {
		const struct mmlab_access *stop = end - a > FAST_CHUNK ? a + FAST_CHUNK : end;

		/* two at a time: one loop test for two hits */
		for (; stop - a >= 2; a += 2) {
			if (!fast_hit(tlb, a, &clock, &cycles))
				goto out;
			if (!fast_hit(tlb, a + 1, &clock, &cycles)) {
				a++;
				goto out;
			}
		}
		if (a < stop) {
			if (!fast_hit(tlb, a, &clock, &cycles))
				goto out;
			a++;
		}
	}
out:
	tlb->clock = clock;
	c->cycles += cycles;
	cpu_count(&c->tlb_l1_hits, (uint64_t)(a - v));
	return (size_t)(a - v);
}

size_t mmlab_access_run(struct mmlab_task *t, const struct mmlab_access *v, size_t n,
			int *ret, uint64_t *fault_addr)
{
	bool fast = !READ_ONCE(hw_stale_check) && !mmlab_deterministic();
	struct cpu *c;
	size_t i = 0;

	*ret = 0;
	if (!t)
		return (*ret = -EINVAL), 0;
	task_enter(t);
	c = this_cpu();
	while (i < n) {
		if (fast) {
			i += run_fast(c, v + i, n - i);
			if (i == n)
				break;
		}
		/* hw_translate polls for IPIs first */
		*ret = access_slow(c, v[i].addr, v[i].size, v[i].write & 1, fault_addr);
		if (*ret)
			break;
		i++;
	}
	task_leave(t);
	return i;
}
