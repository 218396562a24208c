/*
 * tlbflush.c - TLB shootdowns as x86 Linux does them (arch/x86/mm/tlb.c):
 * per-mm TLB generations, per-CPU ASIDs (PCID) with the generation each is
 * flushed to, lazy CPUs that are not interrupted unless page tables were
 * freed, single-page flushes up to tlb_single_page_flush_ceiling (33) pages
 * and a full flush beyond, and the DEBUG_TLBFLUSH counters.
 *
 * A CPU's tlbstate is written only by the thread that owns the CPU (its own
 * switch_mm, or an IPI handler run for it); senders read loaded_mm and
 * is_lazy of other CPUs racily, as x86 does, and rely on the generation
 * check in switch_mm to catch a CPU that loads the mm just after.
 *
 * The stale-TLB detector's policy (stale_tlb_report) also lives here.
 */
#include <stdio.h>
#include "swap.h"

struct flush_tlb_info {
	struct mm_struct *mm;
	unsigned long start, end;
	uint64_t new_tlb_gen;
	unsigned int stride_shift;
	bool freed_tables;
	unsigned int initiating_cpu;
};

static inline void set_loaded(struct cpu *c, struct mm_struct *mm, bool lazy)
{
	__atomic_store_n(&c->tlbstate.loaded_mm, mm, __ATOMIC_SEQ_CST);
	__atomic_store_n(&c->tlbstate.is_lazy, lazy, __ATOMIC_SEQ_CST);
}

/* Stop using any user mm on @c (switch to init_mm). */
static void leave_mm(struct cpu *c)
{
	set_loaded(c, NULL, false);
	c->cr3 = 0;
}

static void flush_tlb_func(struct cpu *c, const struct flush_tlb_info *f, bool local)
{
	struct mm_struct *loaded = c->tlbstate.loaded_mm;
	uint16_t asid = c->tlbstate.loaded_asid;
	uint64_t mm_gen, local_gen;

	if (!local)
		count_vm_event(NR_TLB_REMOTE_FLUSH_RECEIVED);
	if (f->mm != loaded) {
		/* left in the cpumask by a CPU that switched away */
		__atomic_fetch_and(&f->mm->cpumask, ~(1ULL << c->id), __ATOMIC_RELAXED);
		return;
	}
	if (c->tlbstate.is_lazy) {
		leave_mm(c);
		return;
	}
	mm_gen = __atomic_load_n(&loaded->tlb_gen, __ATOMIC_ACQUIRE);
	local_gen = c->tlbstate.ctxs[asid].tlb_gen;
	if (local_gen >= mm_gen)
		return;		/* someone else's flush already covered it */
	if (f->end != TLB_FLUSH_ALL && f->new_tlb_gen == local_gen + 1 &&
	    f->new_tlb_gen == mm_gen) {
		unsigned long n = 0;

		for (unsigned long a = f->start; a < f->end; a += 1UL << f->stride_shift) {
			tlb_flush_one(&c->tlb, c->asid, a);
			cpu_charge(c, COST_FLUSH_ONE);
			n++;
		}
		if (local)
			count_vm_events(NR_TLB_LOCAL_FLUSH_ONE, n);
	} else {
		tlb_flush_asid(&c->tlb, c->asid);
		cpu_charge(c, COST_FLUSH_ALL);
		if (local)
			count_vm_event(NR_TLB_LOCAL_FLUSH_ALL);
	}
	c->tlbstate.ctxs[asid].tlb_gen = mm_gen;
}

static void flush_tlb_func_remote(struct cpu *c, void *info)
{
	flush_tlb_func(c, info, false);
}

void flush_tlb_mm_range_why(struct mm_struct *mm, unsigned long start,
			    unsigned long end, unsigned int stride_shift,
			    bool freed_tables, enum vm_event_item why)
{
	struct flush_tlb_info info;
	struct cpu *self = this_cpu();
	cpumask_t others, targets = 0;

	if (READ_ONCE(knobs.skip_flush))
		return;
	if (end != TLB_FLUSH_ALL &&
	    ((end - start) >> stride_shift) > READ_ONCE(knobs.tlb_single_page_flush_ceiling)) {
		start = 0;
		end = TLB_FLUSH_ALL;
	}
	info = (struct flush_tlb_info) {
		.mm = mm, .start = start, .end = end, .stride_shift = stride_shift,
		.freed_tables = freed_tables,
		.new_tlb_gen = __atomic_add_fetch(&mm->tlb_gen, 1, __ATOMIC_SEQ_CST),
		.initiating_cpu = self ? self->id : ~0u,
	};
	others = __atomic_load_n(&mm->cpumask, __ATOMIC_SEQ_CST);
	if (self) {
		others &= ~(1ULL << self->id);
		if (self->tlbstate.loaded_mm == mm)
			flush_tlb_func(self, &info, true);
	}
	if (!others)
		return;
	count_vm_event(NR_TLB_REMOTE_FLUSH);
	for (unsigned int i = 0; i < nr_cpu_ids; i++) {
		struct cpu *c = &cpus[i];

		if (!(others & (1ULL << i)))
			continue;
		/* should_flush_tlb(): lazy CPUs catch up at the next switch,
		 * unless tables were freed under them */
		if (freed_tables ||
		    (__atomic_load_n(&c->tlbstate.loaded_mm, __ATOMIC_SEQ_CST) == mm &&
		     !__atomic_load_n(&c->tlbstate.is_lazy, __ATOMIC_SEQ_CST)))
			targets |= 1ULL << i;
	}
	count_vm_events(why, smp_call_function_many(targets, flush_tlb_func_remote, &info));
}

/* The batched flush of reclaim: a full flush of whatever mm each CPU has
 * loaded (x86 arch_tlbbatch_flush: flush_tlb_func with no mm). */
static void flush_tlb_batch_func(struct cpu *c, bool local)
{
	struct mm_struct *loaded = c->tlbstate.loaded_mm;

	if (!local)
		count_vm_event(NR_TLB_REMOTE_FLUSH_RECEIVED);
	if (!loaded)
		return;
	if (c->tlbstate.is_lazy) {
		leave_mm(c);
		return;
	}
	tlb_flush_asid(&c->tlb, c->asid);
	cpu_charge(c, COST_FLUSH_ALL);
	if (local)
		count_vm_event(NR_TLB_LOCAL_FLUSH_ALL);
	c->tlbstate.ctxs[c->tlbstate.loaded_asid].tlb_gen =
		__atomic_load_n(&loaded->tlb_gen, __ATOMIC_ACQUIRE);
}

static void flush_tlb_batch_remote(struct cpu *c, void *info)
{
	(void)info;
	flush_tlb_batch_func(c, false);
}

void arch_tlbbatch_flush(cpumask_t mask)
{
	struct cpu *self = this_cpu();
	cpumask_t targets = 0;

	if (READ_ONCE(knobs.skip_flush))
		return;
	if (self && (mask & (1ULL << self->id))) {
		flush_tlb_batch_func(self, true);
		mask &= ~(1ULL << self->id);
	}
	if (!mask)
		return;
	count_vm_event(NR_TLB_REMOTE_FLUSH);
	for (unsigned int i = 0; i < nr_cpu_ids; i++)
		if ((mask & (1ULL << i)) &&
		    !__atomic_load_n(&cpus[i].tlbstate.is_lazy, __ATOMIC_SEQ_CST))
			targets |= 1ULL << i;
	count_vm_events(MMLAB_IPIS_BATCHED,
			 smp_call_function_many(targets, flush_tlb_batch_remote, NULL));
}

/* choose_new_asid(): reuse the slot that holds @mm, else take the next one. */
static uint16_t choose_new_asid(struct cpu *c, struct mm_struct *mm,
				uint64_t next_gen, bool *need_flush)
{
	struct cpu_tlbstate *ts = &c->tlbstate;

	if (!cpu_has_pcid) {
		*need_flush = true;
		return 0;
	}
	for (uint16_t a = 0; a < TLB_NR_DYN_ASIDS; a++) {
		if (ts->ctxs[a].ctx_id == mm->context_id) {
			*need_flush = ts->ctxs[a].tlb_gen < next_gen;
			return a;
		}
	}
	{
		uint16_t a = ts->next_asid;

		ts->next_asid = (a + 1) % TLB_NR_DYN_ASIDS;
		*need_flush = true;
		return a;
	}
}

/* switch_mm_irqs_off(): load @next on the current CPU @c. */
void switch_mm(struct cpu *c, struct mm_struct *next)
{
	struct cpu_tlbstate *ts = &c->tlbstate;
	uint64_t next_gen;
	uint16_t asid;
	bool need_flush;

	if (ts->loaded_mm == next && !ts->is_lazy)
		return;
	if (ts->loaded_mm == next) {
		/* back from lazy mode: catch up with flushes we were spared */
		__atomic_store_n(&ts->is_lazy, false, __ATOMIC_SEQ_CST);
		next_gen = __atomic_load_n(&next->tlb_gen, __ATOMIC_SEQ_CST);
		if (ts->ctxs[ts->loaded_asid].tlb_gen < next_gen) {
			tlb_flush_asid(&c->tlb, c->asid);
			cpu_charge(c, COST_FLUSH_ALL);
			ts->ctxs[ts->loaded_asid].tlb_gen = next_gen;
		}
		return;
	}
	luf_switch_mm(c);	/* lazy flushes this CPU may owe */
	/* publish the cpumask bit before reading the generation */
	__atomic_fetch_or(&next->cpumask, 1ULL << c->id, __ATOMIC_SEQ_CST);
	set_loaded(c, next, false);
	next_gen = __atomic_load_n(&next->tlb_gen, __ATOMIC_SEQ_CST);
	asid = choose_new_asid(c, next, next_gen, &need_flush);
	{
		/* LUF: the PCID kept entries that reclaim unmapped lazily
		 * while this CPU was away (not in the cpumask): flush them */
		uint32_t luf = __atomic_load_n(&next->luf_gen, __ATOMIC_SEQ_CST);

		if (luf && ts->ctxs[asid].luf_gen != luf)
			need_flush = true;
		ts->ctxs[asid].luf_gen = luf;
		luf_trace(LUF_EV_SWITCH, asid, luf, need_flush, 0, next, NULL);
	}
	if (need_flush) {
		if (cpu_has_pcid)
			tlb_flush_asid(&c->tlb, asid);
		else
			tlb_flush_all(&c->tlb);
		cpu_charge(c, COST_FLUSH_ALL);
		ts->ctxs[asid].ctx_id = next->context_id;
		ts->ctxs[asid].tlb_gen = next_gen;
	}
	ts->loaded_asid = asid;
	c->asid = asid;
	c->cr3 = next->pgd_pfn;
}

static void leave_mm_ipi(struct cpu *c, void *info)
{
	if (c->tlbstate.loaded_mm == info)
		leave_mm(c);
}

/*
 * The mm is going away: no CPU may keep it loaded (x86 switches lazy CPUs to
 * init_mm before the page tables are freed at exit).  Its ASID slots are
 * harmless: context ids are never reused.
 */
void leave_mm_everywhere(struct mm_struct *mm)
{
	struct cpu *self = this_cpu();
	cpumask_t mask = 0;

	if (self && self->tlbstate.loaded_mm == mm)
		leave_mm(self);
	for (unsigned int i = 0; i < nr_cpu_ids; i++)
		if (__atomic_load_n(&cpus[i].tlbstate.loaded_mm, __ATOMIC_SEQ_CST) == mm)
			mask |= 1ULL << i;
	smp_call_function_many(mask, leave_mm_ipi, mm);
}

/* The PTE of @addr now (0 without a page table), read without mmap_lock. */
static pteval_t pte_now(struct mm_struct *mm, unsigned long addr)
{
	pteval_t *pmd, *pte, v = 0;

	rcu_read_lock();
	pmd = mm_find_pmd(mm, addr);
	if (pmd && !pte_none(pte_read(pmd)) && (pte = pte_offset_map(pmd, addr, NULL))) {
		v = pte_read(pte);
		pte_unmap(pte);
	}
	rcu_read_unlock();
	return v;
}

/*
 * The address still maps the data the stale frame holds: a swap or
 * migration entry; a present page with the same bytes (a migration's copy);
 * or, for shmem that reclaim unmapped (an empty PTE or a marker), a file
 * slot that holds that frame, its swapped copy or a copy with the same
 * bytes (shmem_slot_holds).  Called from the access path, which holds no
 * lock.
 */
static bool maps_same_data(struct mm_struct *mm, unsigned long addr, unsigned long pfn)
{
	pteval_t v = pte_now(mm, addr);	/* first: the answer is about this instant */
	struct vm_area_struct *vma;
	bool same = false;

	if (pte_present(v) && !pte_special(v))
		return phys.no_data ||
		       !memcmp(pfn_to_virt(pte_pfn(v)), pfn_to_virt(pfn), PAGE_SIZE);
	if (is_swap_pte(v) && !is_pte_marker_entry(pte_to_swp_entry(v)))
		return !non_swap_entry(pte_to_swp_entry(v)) ||
		       is_migration_entry(pte_to_swp_entry(v));
	/*
	 * None or a marker: shmem reclaim leaves that.  The file tells, through
	 * the VMA.  A writer of mmap_lock is changing the address space right
	 * now (a munmap whose flush is still to come): waiting for it would
	 * judge this access by a later state, so give it the benefit.
	 */
	if (!down_read_trylock(&mm->mmap_lock))
		return true;
	vma = vma_lookup(mm, addr);
	if (vma && vma->vm_file && (vma->vm_flags & VM_ACCESS_FLAGS)) {
		same = shmem_slot_holds(vma->vm_file, linear_page_index(vma, addr),
					pfn_to_page(pfn));
	}
	up_read(&mm->mmap_lock);
	return same;
}

/* hw_fill_hook, with MMLAB_LUF_TRACE=1: TLB fills into the LUF trace. */
static void luf_trace_fill(struct cpu *c, uint64_t va, uint64_t pfn, uint16_t asid,
			   uint32_t seq)
{
	(void)c;
	luf_trace_ev(LUF_EV_FILL, va, pfn, asid, seq, NULL, NULL);
}

/* For a report: what the address maps now, in the words maps_same_data uses. */
static void explain_mapping(struct mm_struct *mm, unsigned long addr, unsigned long pfn)
{
	struct page *fp = pfn_to_page(pfn);
	pteval_t v = pte_now(mm, addr);
	struct vm_area_struct *vma;

	fprintf(stderr, "mmlab: pte %#lx; frame %lu: ref %d flags %#lx mapping %p index %lu\n",
		(unsigned long)v, pfn, page_ref_count(fp), (unsigned long)READ_ONCE(fp->flags),
		(void *)READ_ONCE(fp->mapping), (unsigned long)READ_ONCE(fp->index));
	if (!down_read_trylock(&mm->mmap_lock)) {
		fprintf(stderr, "mmlab: mmap_lock held by a writer\n");
		return;
	}
	vma = vma_lookup(mm, addr);
	if (vma && vma->vm_file) {
		unsigned long idx = linear_page_index(vma, addr);
		struct page *p = shmem_find_page(vma->vm_file, idx);

		fprintf(stderr, "mmlab: vma %p [%#lx-%#lx) flags %#lx file %p index %lu: slot %s "
			"%lu (flags %#lx), swap %lu\n", (void *)vma, vma->vm_start, vma->vm_end,
			(unsigned long)vma->vm_flags, (void *)vma->vm_file->mapping, idx,
			p ? "page" : "none", p ? page_to_pfn(p) : 0,
			p ? (unsigned long)READ_ONCE(p->flags) : 0,
			shmem_swap_usage(vma->vm_file, idx, idx + 1));
	} else {
		fprintf(stderr, "mmlab: vma %p (no file)\n", (void *)vma);
	}
	up_read(&mm->mmap_lock);
}

/* hw_stale_hook: an access through a TLB entry that no longer matches. */
static bool stale_tlb_report(struct cpu *c, uint64_t addr, enum stale_kind kind,
			     const struct tlb_entry *e, bool write)
{
	static const char *const what[] = {
		[STALE_FRAME_FREED] = "frame freed or reused",
		[STALE_UNMAPPED] = "address no longer mapped",
		[STALE_REMAPPED] = "address mapped to another frame",
		[STALE_WRITE_RO] = "write through a now read-only mapping",
	};
	struct mm_struct *mm = c->tlbstate.loaded_mm;
	/* the frame this access reads: a huge entry's page for @addr */
	unsigned long pfn = e->pfn + ((e->flags & TLB_HUGE) ? ((addr >> PAGE_SHIFT) & 511) : 0);
	uint64_t n;

	/* between a PTE change and its flush, old entries are legal; so are
	 * those of PTEs reclaim cleared with the flush batched */
	if (kind != STALE_FRAME_FREED && mm &&
	    (mm_tlb_flush_pending(mm) || mm_tlb_batched_pending(mm)))
		return false;
	/* LUF's one exception: a read through a read-only entry of a frame
	 * unmapped lazily, not handed out again, whose address still maps the
	 * same data (a swap or migration entry): it reads what a refault would */
	if (mm && !write && !(e->flags & TLB_WRITE) && kind != STALE_WRITE_RO &&
	    luf_page_pending(pfn) && maps_same_data(mm, addr, pfn))
		return false;
	n = __atomic_add_fetch(&vm_stat[STALE_TLB_REPORTS], 1, __ATOMIC_RELAXED);
	if (n <= 10)
		fprintf(stderr, "mmlab: stale TLB: cpu %u %s at 0x%lx: %s (entry pfn %lu "
			"filled by %s, fill #%u)%s\n", c->id, write ? "write" : "read",
			(unsigned long)addr, what[kind], (unsigned long)e->pfn,
			e->fill == TLB_FILL_WALK ? "walk" : "fault", e->fill_seq, dsched_where());
	if (n <= 2) {
		fprintf(stderr, "mmlab: stale entry asid %u, cpu asid %u\n", e->asid, c->asid);
		luf_debug_state(pfn, c->id, mm);
		if (mm)
			explain_mapping(mm, addr, pfn);
		luf_trace_dump(pfn, addr, c->id);
	}
	return true;
}

void tlbflush_init(void)
{
	hw_stale_hook = stale_tlb_report;
	hw_fill_hook = luf_trace_on ? luf_trace_fill : NULL;
	hw_page_fault = do_user_addr_fault;
}
