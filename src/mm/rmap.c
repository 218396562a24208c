/*
 * rmap.c - reverse mapping: from a folio to the PTEs that map it.
 *
 * Anonymous memory: each VMA with anonymous pages has an anon_vma and a
 * chain (anon_vma_chain) linking it to its own anon_vma and to every
 * ancestor's, so that a page created before fork is found in the children
 * too.  A page's mapping points to the anon_vma of the VMA that created it
 * and holds a reference on it.  Shmem: the file's i_mmap list of VMAs.
 *
 * Lock order: folio lock -> anon_vma->root->rwsem (or i_mmap_rwsem) -> PTE
 * lock.  A walker holds the folio lock (and a reference), so the folio's
 * mapping cannot change under it; VMAs leave the rmap (unlink_anon_vmas,
 * vma_unlink) before their page tables are freed.
 *
 * Also here, as upstream: the batched unmap TLB flush (tlbflush_unmap_batch,
 * one per reclaiming host thread, and mm->tlb_flush_batched).
 */
#include <stdlib.h>
#include "gup.h"

/* ---- anon_vma ---- */

void anon_vma_get(struct anon_vma *av)
{
	atomic_inc(&av->refcount);
}

void anon_vma_put(struct anon_vma *av)
{
	if (av && atomic_dec_return(&av->refcount) == 0) {
		struct anon_vma *root = av->root;

		VM_BUG_ON(!list_empty(&av->head));
		free(av);
		if (root != av)
			anon_vma_put(root);
	}
}

static struct anon_vma *anon_vma_alloc(struct anon_vma *root)
{
	struct anon_vma *av = calloc(1, sizeof(*av));

	if (!av)
		return NULL;
	av->refcount = 1;
	INIT_LIST_HEAD(&av->head);
	init_rwsem(&av->rwsem);
	av->root = root ? root : av;
	if (root)
		anon_vma_get(root);
	return av;
}

static int anon_vma_chain_link(struct vm_area_struct *v, struct anon_vma *av)
{
	struct anon_vma_chain *avc = malloc(sizeof(*avc));

	if (!avc)
		return -ENOMEM;
	avc->vma = v;
	avc->anon_vma = av;
	anon_vma_get(av);
	list_add_tail(&avc->same_vma, &v->anon_vma_chain);
	down_write(&av->root->rwsem);
	list_add_tail(&avc->same_anon_vma, &av->head);
	up_write(&av->root->rwsem);
	return 0;
}

/*
 * A neighbour's anon_vma that @v may share (find_mergeable_anon_vma): the
 * two could merge but for the anon_vma, and the neighbour is no fork child
 * (its chain holds its own anon_vma alone: a fork parent's does).  Sharing
 * keeps a later merge possible, as the kernel intends; a fork child's
 * anon_vma is never shared, so the new VMA gets one of its own.
 */
static bool anon_vma_compatible(struct vm_area_struct *a, struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) &&
	       b->vm_pgoff == a->vm_pgoff + ((b->vm_start - a->vm_start) >> PAGE_SHIFT);
}

static struct anon_vma *reusable_anon_vma(struct vm_area_struct *old)
{
	struct anon_vma *av = READ_ONCE(old->anon_vma);

	if (av && list_is_singular(&old->anon_vma_chain))
		return av;	/* a single chain entry: not a fork child */
	return NULL;
}

static struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *v)
{
	struct vm_area_struct *n = vma_next(v->vm_mm, v), *p = vma_prev(v->vm_mm, v);
	struct anon_vma *av = NULL;

	if (n && anon_vma_compatible(v, n))
		av = reusable_anon_vma(n);
	if (!av && p && anon_vma_compatible(p, v))
		av = reusable_anon_vma(p);
	return av;
}

/* The first anonymous fault of a VMA gives it an anon_vma (under the
 * mmap_lock held for reading: racing faults settle it under page_table_lock). */
int anon_vma_prepare(struct vm_area_struct *v)
{
	struct mm_struct *mm = v->vm_mm;
	struct anon_vma *av, *reuse;
	int ret = 0;

	if (smp_load_acquire(&v->anon_vma))
		return 0;
	spin_lock(&mm->page_table_lock);
	if (v->anon_vma) {
		spin_unlock(&mm->page_table_lock);
		return 0;
	}
	reuse = find_mergeable_anon_vma(v);
	av = reuse ? reuse : anon_vma_alloc(NULL);
	if (!av) {
		ret = -ENOMEM;
	} else {
		ret = anon_vma_chain_link(v, av);
		if (!ret)
			smp_store_release(&v->anon_vma, av);
		if (!reuse)
			anon_vma_put(av);	/* the chain holds it now */
	}
	spin_unlock(&mm->page_table_lock);
	return ret;
}

/* A copy of @src (split, or a merge taking over @src's pages) shares its
 * anon_vmas: link @dst to every one of them. */
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct anon_vma_chain *avc;

	INIT_LIST_HEAD(&dst->anon_vma_chain);
	list_for_each_entry(avc, &src->anon_vma_chain, same_vma)
		if (anon_vma_chain_link(dst, avc->anon_vma))
			return -ENOMEM;
	return 0;
}

/* fork: the child's VMA shares the parent's anon_vmas and gets its own. */
int anon_vma_fork(struct vm_area_struct *v, struct vm_area_struct *pv)
{
	struct anon_vma *av;

	v->anon_vma = NULL;
	INIT_LIST_HEAD(&v->anon_vma_chain);
	if (!pv->anon_vma)
		return 0;
	if (anon_vma_clone(v, pv))
		return -ENOMEM;
	av = anon_vma_alloc(pv->anon_vma->root);
	if (!av)
		return -ENOMEM;
	if (anon_vma_chain_link(v, av)) {
		anon_vma_put(av);
		return -ENOMEM;
	}
	v->anon_vma = av;
	anon_vma_put(av);
	return 0;
}

void unlink_anon_vmas(struct vm_area_struct *v)
{
	struct anon_vma_chain *avc, *n;

	list_for_each_entry_safe(avc, n, &v->anon_vma_chain, same_vma) {
		struct anon_vma *av = avc->anon_vma;

		down_write(&av->root->rwsem);
		list_del(&avc->same_anon_vma);
		up_write(&av->root->rwsem);
		list_del(&avc->same_vma);
		anon_vma_put(av);
		free(avc);
	}
	v->anon_vma = NULL;
}

/* ---- mapcounts ---- */

static void page_add_rmap(struct page *p)
{
	if (atomic_inc_return(&p->_mapcount) == 0)
		count_vm_event(PageAnon(p) ? NR_ANON_MAPPED : NR_FILE_MAPPED);
}

/* One PTE mapping @p (of any folio) goes away. */
void page_remove_rmap(struct page *p, struct vm_area_struct *v)
{
	struct page *f = compound_head(p);
	int m;

	if (folio_test_large(f)) {
		folio_remove_rmap_ptes(f, p, 1, v);
		return;
	}
	m = atomic_dec_return(&p->_mapcount);
	VM_BUG_ON(m < -1);
	if (m == -1)
		count_vm_events(PageAnon(p) ? NR_ANON_MAPPED : NR_FILE_MAPPED, -1);
	munlock_vma_folio(p, v);
}

bool folio_mapped(struct page *p) { return folio_mapcount(p) > 0; }

/* A shmem page mapped by a PTE of @v (mlocked there if @v is locked); a
 * shmem THP's page counts in the large mapcount too, unmlocked. */
void folio_add_file_rmap(struct page *p, struct vm_area_struct *v)
{
	if (folio_test_large(compound_head(p)))
		return folio_add_anon_rmap_ptes(compound_head(p), p, 1, v);
	page_add_rmap(p);
	mlock_vma_folio(p, v);
}

/* One more PTE maps @p (fork, swap-in of a cached page, a split THP's
 * remap); a small folio is mlocked in a VM_LOCKED VMA (a large one is
 * left to reclaim: whether @v maps all of it is not known here). */
void folio_dup_rmap(struct page *p, struct vm_area_struct *v)
{
	struct page *f = compound_head(p);

	if (folio_test_large(f)) {
		folio_add_anon_rmap_ptes(f, p, 1, v);
	} else {
		page_add_rmap(p);
		mlock_vma_folio(p, v);
	}
}

void folio_add_new_anon_rmap(struct page *p, struct vm_area_struct *v, unsigned long addr)
{
	anon_vma_get(v->anon_vma);
	p->mapping = v->anon_vma;
	p->index = linear_page_index(v, addr);
	set_page_flag(p, PG_anon);
	/* a droppable page is never swapped: it is dropped under pressure */
	if (!(v->vm_flags & VM_DROPPABLE))
		set_page_flag(p, PG_swapbacked);
	SetPageAnonExclusive(p);
	page_add_rmap(p);
}

/* A page this VMA now owns alone moves to the VMA's own anon_vma; the folio
 * is locked. */
void folio_move_anon_rmap(struct page *p, struct vm_area_struct *v)
{
	struct anon_vma *old = p->mapping;

	if (old == v->anon_vma)
		return;
	anon_vma_get(v->anon_vma);
	for (unsigned long i = 0; i < folio_nr_pages(p); i++)
		WRITE_ONCE(p[i].mapping, v->anon_vma);
	anon_vma_put(old);
}

/* ---- walking ---- */

/*
 * The collapse's isolate step walks with @root held for writing (a walk of
 * a folio under it must not take it again: the kernel's rmap_walk_locked)
 * and, with collapse_locking = mmap_write, with its own mm's PMD cleared
 * (the walk cannot see that mm's entries: @mm names it).  NULL, NULL ends it.
 */
static __thread struct anon_vma *held_root;
static __thread struct mm_struct *held_mm;

void rmap_walk_held(struct anon_vma *root, struct mm_struct *mm)
{
	held_root = root;
	held_mm = mm;
}

struct mm_struct *rmap_walk_held_mm(void)
{
	return held_mm;
}

/* Does the VMA cover any of the folio's pages (index .. index + nr - 1)? */
static bool vma_covers(struct vm_area_struct *v, struct page *folio)
{
	unsigned long nr = folio_nr_pages(folio);

	return folio->index + nr > v->vm_pgoff && folio->index < v->vm_pgoff + vma_pages(v);
}

static void rmap_walk(struct page *folio, struct rmap_walk_control *rwc)
{
	if (PageAnon(folio)) {
		struct anon_vma *av = folio->mapping;
		struct anon_vma_chain *avc;

		bool held;

		if (!av)
			return;
		held = av->root == held_root;
		if (!held)
			down_read(&av->root->rwsem);
		list_for_each_entry(avc, &av->head, same_anon_vma) {
			struct vm_area_struct *v = avc->vma;
			unsigned long addr = v->vm_start + ((folio->index - v->vm_pgoff) << PAGE_SHIFT);

			if (!vma_covers(v, folio))
				continue;
			if (!rwc->rmap_one(folio, v, addr, rwc->arg))
				break;
		}
		if (!held)
			up_read(&av->root->rwsem);
	} else {
		struct address_space *as = folio->mapping;
		struct vm_area_struct *v;

		if (!as)
			return;
		down_read(&as->i_mmap_rwsem);
		list_for_each_entry(v, &as->i_mmap, shared) {
			unsigned long addr = v->vm_start + ((folio->index - v->vm_pgoff) << PAGE_SHIFT);

			if (folio->index < v->vm_pgoff || addr >= v->vm_end)
				continue;
			if (!rwc->rmap_one(folio, v, addr, rwc->arg))
				break;
		}
		up_read(&as->i_mmap_rwsem);
	}
}

void rmap_walk_folio(struct page *folio, struct rmap_walk_control *rwc)
{
	rmap_walk(folio, rwc);
}

/* What large_folio_entries counts. */
enum lfe_mode {
	LFE_PRESENT,	/* present entries */
	LFE_PAGES,	/* pages mapped (a PMD maps them all) */
	LFE_YOUNG,	/* Accessed bits, cleared as they are counted */
	LFE_DIRTY,	/* Dirty bits (left alone) */
};

static bool lfe_counts(pteval_t *entry, enum lfe_mode mode)
{
	switch (mode) {
	case LFE_YOUNG:
		return __atomic_fetch_and(entry, ~_PAGE_ACCESSED, __ATOMIC_ACQ_REL) & _PAGE_ACCESSED;
	case LFE_DIRTY:
		return pte_dirty(pte_read(entry));
	default:
		return true;
	}
}

/*
 * For a large folio: look at each of its entries in this VMA (the PMD, or
 * the PTEs of the part inside the VMA) under the page-table lock, and count
 * those that @mode asks for.
 */
static int large_folio_entries(struct page *folio, struct vm_area_struct *v,
			       unsigned long addr, enum lfe_mode mode)
{
	struct mm_struct *mm = v->vm_mm;
	unsigned long nr = folio_nr_pages(folio), pfn0 = page_to_pfn(folio);
	unsigned long start = addr < v->vm_start ? v->vm_start : addr;
	unsigned long end = addr + (nr << PAGE_SHIFT);
	pteval_t *pmd, *pte0, e;
	spinlock_t *ptl;
	int n = 0;

	if (end > v->vm_end)
		end = v->vm_end;
	rcu_read_lock();
	pmd = mm_find_pmd(mm, start);
	if (!pmd) {
		rcu_read_unlock();
		return 0;
	}
	e = pte_read(pmd);
	if (pmd_leaf(e)) {
		spinlock_t *pl = pmd_lockptr(pmd);

		spin_lock(pl);
		e = pte_read(pmd);
		if (pmd_leaf(e) && pte_pfn(e) == pfn0 && lfe_counts(pmd, mode))
			n = mode == LFE_PAGES ? (int)nr : 1;
		spin_unlock(pl);
		rcu_read_unlock();
		return n;
	}
	pte0 = pte_offset_map_lock(mm, pmd, start, &ptl);
	rcu_read_unlock();
	if (!pte0)
		return 0;
	for (unsigned long va = start; va < end; va += PAGE_SIZE) {
		pteval_t *pte = pte0 + ((va - start) >> PAGE_SHIFT);

		e = pte_read(pte);
		if (!pte_present(e) || pte_special(e) || pte_pfn(e) < pfn0 || pte_pfn(e) >= pfn0 + nr)
			continue;
		if (lfe_counts(pte, mode))
			n++;
	}
	pte_unmap_unlock(pte0, ptl);
	return n;
}

struct mapped_arg {
	bool (*fn)(struct page *, struct vm_area_struct *, unsigned long, void *);
	void *arg;
};

/* Does @v map some page of @folio?  Read without page-table locks (a
 * snapshot, as the kernel's mapcount reads are): the callers may hold
 * the lock of one of these tables. */
static bool folio_mapped_in_lockless(struct page *folio, struct vm_area_struct *v,
				     unsigned long addr)
{
	unsigned long nr = folio_nr_pages(folio), pfn0 = page_to_pfn(folio);
	unsigned long start = addr < v->vm_start ? v->vm_start : addr;
	unsigned long end = addr + (nr << PAGE_SHIFT);
	pteval_t *pmd, *pte0, e;
	bool mapped = false;

	if (end > v->vm_end)
		end = v->vm_end;
	rcu_read_lock();
	pmd = mm_find_pmd(v->vm_mm, start);
	e = pmd ? pte_read(pmd) : 0;
	if (pmd_leaf(e)) {
		mapped = pte_pfn(e) == pfn0;
	} else if (!pte_none(e) && (pte0 = pte_offset_map(pmd, start, NULL))) {
		for (unsigned long va = start; va < end && !mapped; va += PAGE_SIZE) {
			e = pte_read(pte0 + ((va - start) >> PAGE_SHIFT));
			mapped = pte_present(e) && !pte_special(e) && pte_pfn(e) >= pfn0 &&
				 pte_pfn(e) < pfn0 + nr;
		}
		pte_unmap(pte0);
	}
	rcu_read_unlock();
	return mapped;
}

static bool mapped_one(struct page *folio, struct vm_area_struct *v, unsigned long addr,
		       void *argp)
{
	struct mapped_arg *a = argp;

	if (!folio_mapped_in_lockless(folio, v, addr))
		return true;
	return a->fn(folio, v, addr, a->arg);
}

void rmap_walk_mapped(struct page *folio,
		      bool (*fn)(struct page *, struct vm_area_struct *, unsigned long, void *),
		      void *arg)
{
	struct mapped_arg a = { fn, arg };
	struct rmap_walk_control rwc = { .arg = &a, .rmap_one = mapped_one };

	rmap_walk(folio, &rwc);
}

/*
 * page_vma_mapped_walk for a small folio: the PTE at @addr, locked, if it
 * maps @folio (or, for @migration, holds a migration entry for it).
 */
static pteval_t *page_vma_mapped(struct page *folio, struct vm_area_struct *v,
				 unsigned long addr, spinlock_t **ptl, bool migration)
{
	struct mm_struct *mm = v->vm_mm;
	pteval_t *pgd, *pud, *pmd, *pte, e;

	rcu_read_lock();
	pgd = pgd_offset(mm, addr);
	if (pte_none(pte_read(pgd)) ||
	    pte_none(pte_read(pud = pud_offset(pgd, addr))) ||
	    pte_none(pte_read(pmd = pmd_offset(pud, addr)))) {
		rcu_read_unlock();
		return NULL;
	}
	pte = pte_offset_map_lock(mm, pmd, addr, ptl);
	rcu_read_unlock();
	if (!pte)
		return NULL;
	e = pte_read(pte);
	if (migration) {
		if (is_swap_pte(e) && is_migration_entry(pte_to_swp_entry(e)) &&
		    swp_offset(pte_to_swp_entry(e)) == page_to_pfn(folio))
			return pte;
	} else if (pte_present(e) && !pte_special(e) && pte_pfn(e) == page_to_pfn(folio)) {
		return pte;
	}
	pte_unmap_unlock(pte, *ptl);
	return NULL;
}

/* ---- batched TLB flush (TTU_BATCH_FLUSH) ---- */

struct tlbflush_unmap_batch {
	cpumask_t cpumask;
	bool flush_required;
	bool writable;
};
static __thread struct tlbflush_unmap_batch tlb_ubc;

/* Defer when another CPU may cache the mm: a single IPI later beats many. */
static bool should_defer_flush(struct mm_struct *mm, enum ttu_flags flags)
{
	struct cpu *c = this_cpu();
	cpumask_t others = __atomic_load_n(&mm->cpumask, __ATOMIC_SEQ_CST);

	if (!(flags & TTU_BATCH_FLUSH) || !READ_ONCE(knobs.batch_flush))
		return false;
	if (c)
		others &= ~(1ULL << c->id);
	return others != 0;
}

static void set_tlb_ubc_flush_pending(struct mm_struct *mm, pteval_t pteval)
{
	if (!pte_hw_present(pteval))
		return;		/* no TLB can hold it */
	tlb_ubc.cpumask |= __atomic_load_n(&mm->cpumask, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&mm->tlb_gen, 1, __ATOMIC_SEQ_CST);
	tlb_ubc.flush_required = true;
	atomic_inc(&mm->tlb_flush_batched);
	if (pte_dirty(pteval))
		tlb_ubc.writable = true;
}

/* LUF gave PTEs of @mm back to the ordinary batched flush: pending in the
 * mm, as set_tlb_ubc_flush_pending would have made them. */
void tlb_ubc_add_mm(struct mm_struct *mm)
{
	__atomic_add_fetch(&mm->tlb_gen, 1, __ATOMIC_SEQ_CST);
	atomic_inc(&mm->tlb_flush_batched);
}

/* LUF gave these CPUs back to the ordinary batched flush. */
void tlb_ubc_add(cpumask_t mask)
{
	tlb_ubc.cpumask |= mask;
	tlb_ubc.flush_required = true;
}

void try_to_unmap_flush(void)
{
	if (!tlb_ubc.flush_required)
		return;
	arch_tlbbatch_flush(tlb_ubc.cpumask);
	tlb_ubc.cpumask = 0;
	tlb_ubc.flush_required = false;
	tlb_ubc.writable = false;
}

/* Before writing a folio out: flush if any batched PTE was dirty. */
void try_to_unmap_flush_dirty(void)
{
	if (tlb_ubc.writable)
		try_to_unmap_flush();
}

/* mm->tlb_flush_batched counts deferred unmaps, tlb_flush_batched_done the
 * count a flush_tlb_batched_pending() has covered. */
bool mm_tlb_batched_pending(struct mm_struct *mm)
{
	return atomic_read(&mm->tlb_flush_batched) != atomic_read(&mm->tlb_flush_batched_done);
}

/*
 * Called under a PTE lock by paths that change PTEs reclaim may have
 * unmapped lazily (zap, mprotect): if any batched flush of this mm may
 * still be pending, flush the whole mm now.
 */
void flush_tlb_batched_pending(struct mm_struct *mm)
{
	int pending = __atomic_load_n(&mm->tlb_flush_batched, __ATOMIC_SEQ_CST);

	if (pending != atomic_read(&mm->tlb_flush_batched_done)) {
		flush_tlb_mm_range_why(mm, 0, TLB_FLUSH_ALL, 0, false, MMLAB_IPIS_BATCHED_PENDING);
		/* later deferrals keep their own count: only move forward */
		int done = atomic_read(&mm->tlb_flush_batched_done);

		while (done - pending < 0 &&
		       !__atomic_compare_exchange_n(&mm->tlb_flush_batched_done, &done,
						    pending, false, __ATOMIC_SEQ_CST,
						    __ATOMIC_RELAXED))
			;
	}
}

/* ---- try_to_unmap ---- */

struct ttu_arg {
	enum ttu_flags flags;
};

static pteval_t clear_pte_for_unmap(struct vm_area_struct *v, struct page *folio,
				    unsigned long addr, pteval_t *pte, enum ttu_flags flags)
{
	struct mm_struct *mm = v->vm_mm;
	pteval_t old;

	if (should_defer_flush(mm, flags)) {
		old = pte_xchg(pte, 0);
		/* read-only everywhere: LUF may skip the flush altogether */
		if (!luf_ttu_pte(v, folio, addr, old))
			set_tlb_ubc_flush_pending(mm, old);
		return old;
	}
	inc_tlb_flush_pending(mm);
	old = pte_xchg(pte, 0);
	if (pte_hw_present(old))
		flush_tlb_mm_range(mm, addr, addr + PAGE_SIZE, PAGE_SHIFT, false);
	dec_tlb_flush_pending(mm);
	return old;
}

static bool try_to_unmap_one(struct page *folio, struct vm_area_struct *v,
			     unsigned long addr, void *argp)
{
	struct ttu_arg *arg = argp;
	struct mm_struct *mm = v->vm_mm;
	spinlock_t *ptl;
	pteval_t *pte = page_vma_mapped(folio, v, addr, &ptl, false), old, swp;
	bool exclusive;

	if (!pte)
		return true;
	/* a VM_LOCKED mapping keeps the folio: restore a missed mlock and
	 * stop (migration moves locked pages) */
	if (!(arg->flags & (TTU_IGNORE_MLOCK | TTU_MIGRATION)) &&
	    (READ_ONCE(v->vm_flags) & VM_LOCKED)) {
		mlock_vma_folio(folio, v);
		pte_unmap_unlock(pte, ptl);
		return false;
	}
	exclusive = PageAnon(folio) && PageAnonExclusive(folio);
	/* folio_try_share_anon_rmap_pte: an exclusive page that may be
	 * pinned stays mapped, so that the pin and the process keep seeing
	 * one page (reclaim and migration give up on it) */
	if (exclusive && folio_maybe_dma_pinned(compound_head(folio))) {
		pte_unmap_unlock(pte, ptl);
		return false;
	}
	update_hiwater_rss(mm);		/* before RSS goes down */
	/*
	 * From the clear until the PTE holds its final value (a swap or
	 * migration entry, a marker) and the deferred flush is recorded (LUF's
	 * generation, or the batch), a CPU reading through its old entry reads
	 * what the page still holds: the stale-TLB detector must not judge it
	 * by the transient none PTE (the model's flag; nothing in the kernel).
	 */
	inc_tlb_flush_pending(mm);
	old = clear_pte_for_unmap(v, folio, addr, pte, arg->flags);
	if (pte_dirty(old))
		SetPageDirty(folio);

	if (arg->flags & TTU_MIGRATION) {
		swp_entry_t e = make_migration_entry(page_to_pfn(folio), pte_write_bit(old));

		if (!pte_write_bit(old) && exclusive)
			e = swp_entry(SWP_MIGRATION_READ_EXCLUSIVE, page_to_pfn(folio));
		/* the entry carries exclusivity until remove_migration_pte */
		if (exclusive)
			ClearPageAnonExclusive(folio);
		swp = swp_entry_to_pte(e);
		if (old & _PAGE_SOFT_DIRTY)
			swp |= _PAGE_SWP_SOFT_DIRTY;
		if (old & _PAGE_UFFD_WP)
			swp |= _PAGE_SWP_UFFD_WP;
		pte_write(pte, swp);
	} else if (PageAnon(folio)) {
		swp_entry_t e = page_swap_entry(folio);

		if (!test_page_flag(folio, PG_swapbacked)) {
			/* MADV_FREE'd: drop it if nobody wrote it since */
			int ref = page_ref_count(folio), map = page_mapcount(folio);

			/* a droppable one even if it was written */
			if (ref == 1 + map && (!PageDirty(folio) || (v->vm_flags & VM_DROPPABLE))) {
				add_mm_counter(mm, MM_ANONPAGES, -1);
				goto discard;
			}
			if (!(v->vm_flags & VM_DROPPABLE))
				set_page_flag(folio, PG_swapbacked);
			pte_write(pte, old);
			dec_tlb_flush_pending(mm);
			pte_unmap_unlock(pte, ptl);
			return false;
		}
		if (!PageSwapCache(folio) || swap_duplicate(e)) {
			pte_write(pte, old);
			dec_tlb_flush_pending(mm);
			pte_unmap_unlock(pte, ptl);
			return false;
		}
		swp = swp_entry_to_pte(e);
		if (exclusive) {
			swp |= _PAGE_SWP_EXCLUSIVE;
			ClearPageAnonExclusive(folio);
		}
		if (old & _PAGE_SOFT_DIRTY)
			swp |= _PAGE_SWP_SOFT_DIRTY;
		if (old & _PAGE_UFFD_WP)
			swp |= _PAGE_SWP_UFFD_WP;
		pte_write(pte, swp);
		add_mm_counter(mm, MM_ANONPAGES, -1);
		add_mm_counter(mm, MM_SWAPENTS, 1);
	} else {
		unsigned long m = 0;

		add_mm_counter(mm, mm_counter(folio), -1);
		/* shmem keeps userfaultfd wp where the PTE was, and with the
		 * PTE-marker RFC's PM_SWAP marks the page as paged out */
		if ((old & _PAGE_UFFD_WP) && (v->vm_flags & VM_UFFD_WP))
			m |= PTE_MARKER_UFFD_WP;
		if (READ_ONCE(knobs.shmem_pm_swap) == PM_SWAP_MARKER &&
		    test_page_flag(folio, PG_swapbacked))
			m |= PTE_MARKER_PAGEOUT;
		if ((old & _PAGE_SOFT_DIRTY) && READ_ONCE(knobs.soft_dirty))
			m |= PTE_MARKER_SOFT_DIRTY;
		if (m)
			pte_write(pte, make_pte_marker(m));
	}
discard:
	dec_tlb_flush_pending(mm);
	page_remove_rmap(folio, v);
	pte_unmap_unlock(pte, ptl);
	put_page(folio);	/* the mapping's reference; the caller holds one */
	return true;
}

/* Unmap a locked folio from every page table; check folio_mapped() after. */
void try_to_unmap(struct page *folio, enum ttu_flags flags)
{
	struct ttu_arg arg = { .flags = flags };
	struct rmap_walk_control rwc = { .arg = &arg, .rmap_one = try_to_unmap_one };

	luf_ttu_begin();
	rmap_walk(folio, &rwc);
	luf_ttu_end(folio);
}

/* ---- folio_referenced ---- */

struct referenced_arg {
	int referenced;
	unsigned long vm_flags;
};

static bool folio_referenced_one(struct page *folio, struct vm_area_struct *v,
				 unsigned long addr, void *argp)
{
	struct referenced_arg *arg = argp;
	spinlock_t *ptl;
	pteval_t *pte;

	if (folio_test_large(folio)) {
		int mapped = large_folio_entries(folio, v, addr, LFE_PAGES);

		if (!mapped)
			return true;
		/* mapped in a VM_LOCKED VMA: mlocked again when the VMA maps
		 * all of it, and kept either way */
		if (READ_ONCE(v->vm_flags) & VM_LOCKED) {
			if (mapped == (int)folio_nr_pages(folio))
				mlock_vma_folio(folio, v);
			arg->vm_flags |= VM_LOCKED;
			return false;
		}
		if (large_folio_entries(folio, v, addr, LFE_YOUNG))
			arg->referenced++;
		return true;
	}
	pte = page_vma_mapped(folio, v, addr, &ptl, false);
	if (!pte)
		return true;
	if (READ_ONCE(v->vm_flags) & VM_LOCKED) {
		/* restore the mlock that got missed, and stop */
		mlock_vma_folio(folio, v);
		arg->vm_flags |= VM_LOCKED;
		pte_unmap_unlock(pte, ptl);
		return false;
	}
	/* x86 clears the young bit without a flush (ptep_clear_flush_young) */
	if (__atomic_fetch_and(pte, ~_PAGE_ACCESSED, __ATOMIC_ACQ_REL) & _PAGE_ACCESSED)
		arg->referenced++;
	pte_unmap_unlock(pte, ptl);
	return true;
}

/* How many PTEs mapping @folio were young (their Accessed bits cleared);
 * *vm_flags gets VM_LOCKED when a locked VMA maps it. */
int folio_referenced(struct page *folio, bool is_locked, unsigned long *vm_flags)
{
	struct referenced_arg arg = { 0 };
	struct rmap_walk_control rwc = { .arg = &arg, .rmap_one = folio_referenced_one };
	bool locked = is_locked;

	*vm_flags = 0;
	if (!folio_mapped(folio))
		return 0;
	if (!locked && !folio_trylock(folio))
		return 1;	/* busy: treat as referenced, as the kernel does */
	rmap_walk(folio, &rwc);
	if (!is_locked)
		folio_unlock(folio);
	*vm_flags = arg.vm_flags;
	return arg.referenced;
}

/* ---- migration entries back to PTEs ---- */

struct rmp_arg {
	struct page *src, *dst;
};

static bool remove_migration_pte(struct page *dst, struct vm_area_struct *v,
				 unsigned long addr, void *argp)
{
	struct rmp_arg *arg = argp;
	spinlock_t *ptl;
	pteval_t *pte = page_vma_mapped(arg->src, v, addr, &ptl, true), old, new;
	swp_entry_t e;

	if (!pte)
		return true;
	old = pte_read(pte);
	e = pte_to_swp_entry(old);
	new = pfn_pte(page_to_pfn(dst), v->vm_page_prot);
	if (swp_type(e) == SWP_MIGRATION_WRITE)
		new = pte_mkwrite_prot(new) & ~_PAGE_DIRTY;
	if (old & _PAGE_SWP_SOFT_DIRTY)
		new |= _PAGE_SOFT_DIRTY;
	if (old & _PAGE_SWP_UFFD_WP)
		new = (new | _PAGE_UFFD_WP) & ~_PAGE_RW;
	if (PageDirty(dst) && swp_type(e) == SWP_MIGRATION_WRITE)
		new |= _PAGE_DIRTY;
	if (PageAnon(dst) && swp_type(e) != SWP_MIGRATION_READ)
		SetPageAnonExclusive(dst);
	get_page(dst);
	page_add_rmap(dst);
	mlock_vma_folio(dst, v);
	pte_write(pte, new);
	pte_unmap_unlock(pte, ptl);
	return true;
}

/* Replace the migration entries that point at @src with PTEs for @dst. */
void remove_migration_ptes(struct page *src, struct page *dst)
{
	struct rmp_arg arg = { .src = src, .dst = dst };
	struct rmap_walk_control rwc = { .arg = &arg, .rmap_one = remove_migration_pte };

	rmap_walk(dst, &rwc);
}

/* ---- lazyfree large folios ---- */

static bool folio_dirty_one(struct page *folio, struct vm_area_struct *v, unsigned long addr,
			    void *arg)
{
	if (!large_folio_entries(folio, v, addr, LFE_DIRTY))
		return true;
	*(bool *)arg = true;
	return false;
}

static bool split_pmd_one(struct page *folio, struct vm_area_struct *v, unsigned long addr,
			  void *arg)
{
	pteval_t *pmd;

	(void)arg;
	rcu_read_lock();
	pmd = mm_find_pmd(v->vm_mm, addr);
	if (pmd && pmd_leaf(pte_read(pmd)) && pte_pfn(pte_read(pmd)) == page_to_pfn(folio))
		__split_huge_pmd(v, pmd, addr);
	rcu_read_unlock();
	return true;
}

/*
 * Reclaim meets a large MADV_FREE'd folio (try_to_unmap_one's lazyfree
 * case, which unmaps with TTU_SPLIT_HUGE_PMD): its PMD mappings are split;
 * if it was written since (a dirty entry, or the folio dirty) it is
 * swap-backed again and kept whole; returns true then.  Folio locked.
 */
bool folio_lazyfree_redirtied(struct page *folio)
{
	bool dirty = PageDirty(folio);
	struct rmap_walk_control rwc = { .arg = &dirty, .rmap_one = folio_dirty_one };

	if (!dirty) {
		rmap_walk(folio, &rwc);
		if (dirty)	/* the dirty bit moves to the folio */
			SetPageDirty(folio);
	}
	rwc.rmap_one = split_pmd_one;
	rmap_walk(folio, &rwc);
	if (dirty)
		set_page_flag(folio, PG_swapbacked);
	return dirty;
}

/*
 * Discard this VMA's PTEs of a clean lazyfree large folio, all of them at
 * once (the batched lazyfree unmap of try_to_unmap_one): they are cleared
 * under the PTE lock, and if one was written meanwhile (dirty) they are put
 * back, the folio is dirty and swap-backed again, and the walk stops.
 */
static bool lazyfree_discard_one(struct page *folio, struct vm_area_struct *v,
				 unsigned long addr, void *arg)
{
	struct mm_struct *mm = v->vm_mm;
	unsigned long nr = folio_nr_pages(folio), pfn0 = page_to_pfn(folio);
	unsigned long start = max(addr, v->vm_start), end = min(addr + (nr << PAGE_SHIFT), v->vm_end);
	pteval_t *pmd, *pte0, old[HPAGE_PMD_NR];
	bool defer, dirty = false;
	spinlock_t *ptl;
	long n = 0;

	update_hiwater_rss(mm);		/* before RSS goes down */
	rcu_read_lock();
	pmd = mm_find_pmd(mm, start);
	pte0 = pmd && !pmd_leaf(pte_read(pmd)) ? pte_offset_map_lock(mm, pmd, start, &ptl) : NULL;
	rcu_read_unlock();
	if (!pte0)
		return true;
	inc_tlb_flush_pending(mm);	/* the detector's window, as try_to_unmap_one */
	for (unsigned long va = start, i = 0; va < end; va += PAGE_SIZE, i++) {
		pteval_t e = pte_read(pte0 + i);

		old[i] = 0;
		if (!pte_present(e) || pte_special(e) || pte_pfn(e) < pfn0 || pte_pfn(e) >= pfn0 + nr)
			continue;
		old[i] = pte_xchg(pte0 + i, 0);
		dirty |= pte_dirty(old[i]) && !(v->vm_flags & VM_DROPPABLE);
	}
	if (dirty) {
		for (unsigned long va = start, i = 0; va < end; va += PAGE_SIZE, i++)
			if (old[i])
				pte_write(pte0 + i, old[i]);
		SetPageDirty(folio);
		set_page_flag(folio, PG_swapbacked);
		*(bool *)arg = true;
		dec_tlb_flush_pending(mm);
		pte_unmap_unlock(pte0, ptl);
		return false;
	}
	defer = should_defer_flush(mm, TTU_BATCH_FLUSH);
	for (unsigned long va = start, i = 0; va < end; va += PAGE_SIZE, i++) {
		if (!old[i])
			continue;
		n++;
		if (defer)
			set_tlb_ubc_flush_pending(mm, old[i]);
		__folio_remove_rmap_ptes(folio, pfn_to_page(pte_pfn(old[i])), 1, v, false);
		atomic_dec(&folio->_refcount);	/* the mapping's; the caller holds one */
	}
	if (n && !defer)
		flush_tlb_mm_range(mm, start, end, PAGE_SHIFT, false);
	add_mm_counter(mm, MM_ANONPAGES, -n);
	dec_tlb_flush_pending(mm);
	pte_unmap_unlock(pte0, ptl);
	return true;
}

/*
 * Reclaim's discard of a clean lazyfree large folio (locked, isolated, its
 * PMDs split by folio_lazyfree_redirtied): whole, without a split.  True if
 * it is unmapped everywhere and only the caller's reference is left.
 */
bool folio_lazyfree_discard(struct page *folio)
{
	bool redirtied = false;
	struct rmap_walk_control rwc = { .arg = &redirtied, .rmap_one = lazyfree_discard_one };

	/* another reference (GUP, a batch) than the mappings': keep it */
	if (page_ref_count(folio) != 1 + folio_mapcount(folio))
		return false;
	rmap_walk(folio, &rwc);
	return !redirtied && !folio_mapped(folio) && page_ref_count(folio) == 1;
}
