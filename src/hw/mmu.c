/*
 * mmu.c - page walker and access path; see mmu.h.
 */
#include "mmu.h"
#include "lib/rcu.h"

int (*hw_page_fault)(struct cpu *c, uint64_t addr, unsigned int error_code);
void (*hw_fill_hook)(struct cpu *c, uint64_t va, uint64_t pfn, uint16_t asid,
		    uint32_t fill_seq);
bool (*hw_stale_hook)(struct cpu *c, uint64_t addr, enum stale_kind kind,
		      const struct tlb_entry *e, bool write);
bool hw_stale_check;

void hw_tlb_stats(struct hw_tlb_stats *st)
{
	*st = (struct hw_tlb_stats){ 0 };
	for (unsigned int i = 0; cpus && i < nr_cpu_ids; i++) {
		st->l1_hits += __atomic_load_n(&cpus[i].tlb_l1_hits, __ATOMIC_RELAXED);
		st->l2_hits += __atomic_load_n(&cpus[i].tlb_l2_hits, __ATOMIC_RELAXED);
		st->misses += __atomic_load_n(&cpus[i].tlb_misses, __ATOMIC_RELAXED);
		st->walks += __atomic_load_n(&cpus[i].page_walks, __ATOMIC_RELAXED);
	}
}

/*
 * The walker sets the accessed (and dirty) bit of the entry it used with a
 * locked compare-and-exchange, as x86 does: a bit goes only into that same
 * entry.  An entry that changed otherwise since it was read (cleared by an
 * unmap, made a swap or migration entry, given another frame or fewer
 * rights) is left alone and the walk starts again (false).  A blind OR
 * would turn a just-cleared PTE into 0x20: not none, not present, read as
 * a swap entry no swap area holds, which faults "retry" forever.
 */
static inline bool set_bits(pteval_t *p, pteval_t v, pteval_t bits)
{
	const pteval_t ad = _PAGE_ACCESSED | _PAGE_DIRTY;
	pteval_t cur = v;

	if ((v & bits) == bits)
		return true;
	while (!__atomic_compare_exchange_n(p, &cur, cur | bits, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED)) {
		/* only A/D moved (another walker, clear_refs): try again */
		if ((cur & ~ad) != (v & ~ad))
			return false;
		if ((cur & bits) == bits)
			return true;
	}
	return true;
}

int hw_walk(unsigned long cr3, uint64_t va, bool write, bool set_ad,
	    struct walk_result *r)
{
	static const unsigned int shift[4] = { PGDIR_SHIFT, PUD_SHIFT, PMD_SHIFT, PAGE_SHIFT };
	unsigned long table = cr3;
	bool rw = true;
	int err = X86_PF_USER | (write ? X86_PF_WRITE : 0);

	if (va >= (1ULL << 47))
		return err;
restart:
	table = cr3;
	rw = true;
	rcu_read_lock();
	for (int level = 0; level < 4; level++) {
		pteval_t *p = table_of(table) + ((va >> shift[level]) & 511);
		pteval_t v = pte_read(p);
		bool leaf = level == 3 || (level == 2 && (v & _PAGE_PSE));

		if (!(v & _PAGE_PRESENT) || !(v & _PAGE_USER)) {
			if (leaf && (v & _PAGE_PROTNONE))
				err |= X86_PF_PROT;
			rcu_read_unlock();
			return err;
		}
		if (level == 1 && (v & _PAGE_PSE)) {	/* 1 GiB pages: none here */
			rcu_read_unlock();
			return err | X86_PF_PROT;
		}
		rw &= !!(v & _PAGE_RW);
		if (leaf) {
			if (write && !rw) {
				rcu_read_unlock();
				return err | X86_PF_PROT;
			}
			if (set_ad && !set_bits(p, v, _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0))) {
				rcu_read_unlock();
				goto restart;
			}
			r->huge = level == 2;
			r->pfn = pte_pfn(v) + (r->huge ? ((va >> PAGE_SHIFT) & 511) : 0);
			r->writable = rw;
			r->dirty = write || (v & _PAGE_DIRTY);
			rcu_read_unlock();
			return WALK_OK;
		}
		if (set_ad && !set_bits(p, v, _PAGE_ACCESSED)) {
			rcu_read_unlock();
			goto restart;
		}
		table = pte_pfn(v);
	}
	rcu_read_unlock();
	return err;
}

/* The detector: is this hit still what the tables say? */
static bool tlb_entry_stale(struct cpu *c, uint64_t va, struct tlb_entry *e,
			    bool write)
{
	struct walk_result r;
	unsigned long pfn = e->pfn + ((e->flags & TLB_HUGE) ? ((va >> PAGE_SHIFT) & 511) : 0);
	enum stale_kind kind = 0;

	if (READ_ONCE(pfn_to_page(e->pfn)->gen) != e->gen)
		kind = STALE_FRAME_FREED;
	else if (hw_walk(c->cr3, va, false, false, &r) != WALK_OK)
		kind = STALE_UNMAPPED;
	else if (r.pfn != pfn)
		kind = STALE_REMAPPED;
	else if (write && !r.writable)
		kind = STALE_WRITE_RO;
	if (!kind)
		return false;
	if (hw_stale_hook)
		hw_stale_hook(c, va, kind, e, write);
	return true;
}

void *hw_translate(struct cpu *c, uint64_t va, bool write, int *sig)
{
	bool faulted = false;

	sched_point();	/* one scheduling point per page an access touches */
	for (;;) {
		struct tlb_entry *e = NULL;
		struct walk_result r;
		bool l2 = false;
		int err;

		cpu_poll();
		/* a fault fills no TLB entry (interrupts only remove them):
		 * after one, go straight to the walk */
		if (!faulted)
			e = tlb_lookup(&c->tlb, va, c->asid, &l2);
		faulted = false;
		if (e && (!write || (e->flags & TLB_DIRTY))) {
			if (unlikely(hw_stale_check) && tlb_entry_stale(c, va, e, write)) {
				tlb_invalidate_entry(&c->tlb, e);
				continue;
			}
			cpu_count(l2 ? &c->tlb_l2_hits : &c->tlb_l1_hits, 1);
			cpu_charge(c, l2 ? COST_TLB_L2_HIT : COST_TLB_L1_HIT);
			return (uint8_t *)pfn_to_virt(e->pfn) +
				(((e->flags & TLB_HUGE) ? (va & (PMD_SIZE - 1)) :
				  (va & (PAGE_SIZE - 1))));
		}
		/* a miss, or a write through an entry without D: walk */
		if (e)
			tlb_invalidate_entry(&c->tlb, e);
		cpu_count(&c->tlb_misses, 1);
		cpu_count(&c->page_walks, 1);
		cpu_charge(c, COST_PAGE_WALK);
		err = hw_walk(c->cr3, va, write, true, &r);
		if (err == WALK_OK) {
			unsigned long base = r.huge ? r.pfn - ((va >> PAGE_SHIFT) & 511) : r.pfn;
			uint8_t fl = (r.writable ? TLB_WRITE : 0) |
				     (r.dirty && r.writable ? TLB_DIRTY : 0) |
				     (r.huge ? TLB_HUGE : 0);

			tlb_insert(&c->tlb, va, c->asid, base,
				   READ_ONCE(pfn_to_page(base)->gen), fl, TLB_FILL_WALK);
			if (unlikely(hw_fill_hook))
				hw_fill_hook(c, va, base, c->asid, c->tlb.fill_seq);
			return (uint8_t *)pfn_to_virt(r.pfn) + (va & (PAGE_SIZE - 1));
		}
		cpu_charge(c, COST_PAGE_FAULT);
		*sig = hw_page_fault(c, va, (unsigned int)err);
		if (*sig)
			return NULL;
		faulted = true;
	}
}
