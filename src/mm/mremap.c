/*
 * mremap.c - mremap(2): shrinking a mapping, growing it in place, and
 * moving it with its page tables (MREMAP_MAYMOVE, MREMAP_FIXED,
 * MREMAP_DONTUNMAP), as 6.18 does, with 6.18's order of argument checks
 * and errnos, and its move of several VMAs at once (a MREMAP_FIXED move
 * that keeps the size: remap_move).
 *
 * A move (move_vma) makes the VMA at the new place first (copy_vma: a copy
 * of the old one carrying its anon_vma chains, or a neighbour it merges
 * into), moves the page tables (move_page_tables), then unmaps the old
 * range (or, with MREMAP_DONTUNMAP, leaves it mapped and empty).
 * move_page_tables goes PMD by PMD: a whole PTE table moves in one PMD
 * entry when the source and destination ranges both cover its 2 MiB
 * (move_normal_pmd; the start of a VMA is aligned down to the PMD when
 * nothing else maps there: try_realign_addr), a PMD-mapped THP moves
 * whole when both sides are PMD-aligned (move_huge_pmd) and is split
 * otherwise, and the rest moves entry by entry (move_ptes): present pages,
 * swap and migration entries, guard markers.  A VMA registered with
 * userfaultfd loses its registration at the new place (the model's
 * userfaultfd has no UFFD_FEATURE_EVENT_REMAP), and its entries their wp
 * bits and wp markers, as the kernel's mremap_userfaultfd_prep and
 * move_ptes do.  PUD-level moves (1 GiB-aligned ranges) are not modelled:
 * such a range moves PMD by PMD.
 *
 * Locks: mmap_lock for writing throughout (mmap_write_lock: no fault runs,
 * under the VMA locks either).  Moving entries takes the PMD locks of both
 * sides (move_normal_pmd, move_huge_pmd) or the PTE locks of both sides
 * (move_ptes), old then new: mmap_lock held for writing is what keeps two
 * movers from taking them the other way round.  The TLB entries of the old
 * range are flushed before those locks are dropped, so that no CPU writes
 * through a stale entry to a page the new side may already have handed on.
 * The rmap locks (the file's i_mmap_rwsem, then the root anon_vma's rwsem)
 * are taken around a move as the kernel takes them: always for a whole PTE
 * table, and for entries when the destination VMA is one that rmap walkers
 * may visit before the source (copy_vma merged the range into an existing
 * VMA: the model's walkers go in list order, and only a new VMA is known to
 * come after the source).  While entries move, tlb_flush_pending is raised
 * (the stale-TLB detector's "a flush is in progress").
 */
#include "swap.h"

#define MREMAP_MAYMOVE		1
#define MREMAP_FIXED		2
#define MREMAP_DONTUNMAP	4

enum mremap_type { MREMAP_NO_RESIZE, MREMAP_SHRINK, MREMAP_EXPAND };

/* One mremap: the caller's arguments, rewritten as the operation goes. */
struct vma_remap_struct {
	struct mm_struct *mm;
	unsigned long addr, old_len, new_len, flags, new_addr;
	unsigned long delta;		/* |old_len - new_len| */
	enum mremap_type remap_type;
	struct vm_area_struct *vma;	/* the VMA at addr */
	bool mlocked;			/* a locked VMA grew or moved: populate */
};

/* One page-table move: [old_addr, old_end) of @old to new_addr in @new. */
struct pagetable_move_control {
	struct vm_area_struct *old, *new;
	unsigned long old_addr, old_end, new_addr, len_in;
	bool need_rmap_locks;
};

/* ---- moving page tables ---- */

static void take_rmap_locks(struct vm_area_struct *v)
{
	if (v->vm_file)
		down_write(&v->vm_file->mapping->i_mmap_rwsem);
	if (v->anon_vma)
		down_write(&v->anon_vma->root->rwsem);
}

static void drop_rmap_locks(struct vm_area_struct *v)
{
	if (v->anon_vma)
		up_write(&v->anon_vma->root->rwsem);
	if (v->vm_file)
		up_write(&v->vm_file->mapping->i_mmap_rwsem);
}

/* The PMD entry of an existing table at @addr, NULL when there is none. */
static pteval_t *get_old_pmd(struct mm_struct *mm, unsigned long addr)
{
	pteval_t *pmd = mm_find_pmd(mm, addr);

	return pmd && !pte_none(pte_read(pmd)) ? pmd : NULL;
}

static pteval_t *alloc_new_pmd(struct mm_struct *mm, unsigned long addr)
{
	pteval_t *pud = pud_alloc(mm, pgd_offset(mm, addr), addr);

	return pud ? pmd_alloc(mm, pud, addr) : NULL;
}

/* A wp-registered VMA whose userfaultfd has no UFFD_FEATURE_EVENT_REMAP:
 * the moved PTEs lose their uffd-wp bits. */
static bool vma_has_uffd_without_event_remap(struct vm_area_struct *v)
{
	return (v->vm_flags & VM_UFFD_WP) && !userfaultfd_event_remap(v);
}

/* What an entry becomes at its new place: soft-dirty (the move is a
 * change the tracker must see), without its uffd-wp state when the
 * registration does not follow; 0 when nothing is left of it. */
static pteval_t move_pte_entry(pteval_t pte, bool clear_uffd_wp)
{
	bool sd = READ_ONCE(knobs.soft_dirty);

	if (pte_present(pte)) {
		if (sd)
			pte |= _PAGE_SOFT_DIRTY;
		if (clear_uffd_wp)
			pte &= ~_PAGE_UFFD_WP;
		return pte;
	}
	if (is_pte_marker_entry(pte_to_swp_entry(pte))) {
		unsigned long bits = swp_offset(pte_to_swp_entry(pte));

		if (clear_uffd_wp && (bits & PTE_MARKER_UFFD_WP)) {
			bits &= ~PTE_MARKER_UFFD_WP;
			if (!bits)
				return 0;
			pte = make_pte_marker(bits) | (pte & _PAGE_SWP_SW_BITS);
		}
	} else if (clear_uffd_wp) {
		pte &= ~_PAGE_SWP_UFFD_WP;
	}
	return sd ? pte | _PAGE_SWP_SOFT_DIRTY : pte;
}

/*
 * Move the entries of [pmc->old_addr, + extent), all in one PTE table, to
 * the new table.  -EAGAIN when a table went away under us (the caller
 * looks at the PMDs again).
 */
static int move_ptes(struct pagetable_move_control *pmc, unsigned long extent,
		     pteval_t *old_pmd, pteval_t *new_pmd)
{
	struct vm_area_struct *vma = pmc->old;
	struct mm_struct *mm = vma->vm_mm;
	bool clear_uffd_wp = vma_has_uffd_without_event_remap(vma), force_flush = false;
	unsigned long old_addr = pmc->old_addr, new_addr = pmc->new_addr;
	unsigned long old_end = old_addr + extent;
	pteval_t *old_pte0, *new_pte0, *old_pte, *new_pte;
	spinlock_t *old_ptl, *new_ptl;
	int err = 0;

	if (pmc->need_rmap_locks)
		take_rmap_locks(vma);
	old_pte0 = pte_offset_map_lock(mm, old_pmd, old_addr, &old_ptl);
	if (!old_pte0) {
		err = -EAGAIN;
		goto out;
	}
	/* the new table is ours (no fault, no collapse under mmap_lock for
	 * writing), but the page-table scanner may free an empty one */
	new_pte0 = pte_offset_map(new_pmd, new_addr, NULL);
	if (!new_pte0) {
		pte_unmap_unlock(old_pte0, old_ptl);
		err = -EAGAIN;
		goto out;
	}
	new_ptl = &virt_to_table_page(new_pte0)->ptl;
	if (new_ptl != old_ptl)
		spin_lock(new_ptl);
	flush_tlb_batched_pending(mm);
	for (old_pte = old_pte0, new_pte = new_pte0; old_addr < old_end;
	     old_pte++, new_pte++, old_addr += PAGE_SIZE, new_addr += PAGE_SIZE) {
		pteval_t pte = pte_read(old_pte);

		if (pte_none(pte))
			continue;
		VM_BUG_ON(!pte_none(pte_read(new_pte)));
		if (pte_present(pte))
			force_flush = true;
		pte = move_pte_entry(pte_xchg(old_pte, 0), clear_uffd_wp);
		if (pte)
			pte_write(new_pte, pte);
	}
	/* flush the old entries before the locks go: the new side's lock
	 * keeps the pages where they are until no CPU can reach them there */
	if (force_flush)
		flush_tlb_range(vma, old_end - extent, old_end);
	if (new_ptl != old_ptl)
		spin_unlock(new_ptl);
	pte_unmap(new_pte0);
	pte_unmap_unlock(old_pte0, old_ptl);
out:
	if (pmc->need_rmap_locks)
		drop_rmap_locks(vma);
	return err;
}

/* Move the PTE table under @old_pmd, whole, to @new_pmd. */
static bool move_normal_pmd(struct pagetable_move_control *pmc, pteval_t *old_pmd,
			    pteval_t *new_pmd)
{
	spinlock_t *old_ptl = pmd_lockptr(old_pmd), *new_ptl = pmd_lockptr(new_pmd);
	pteval_t pmd;
	bool moved = false;

	/* free_pgtables emptied the destination; and a table of a uffd-wp
	 * VMA has wp bits to clear entry by entry */
	if (!pte_none(pte_read(new_pmd)) || vma_has_uffd_without_event_remap(pmc->old))
		return false;
	spin_lock(old_ptl);
	if (new_ptl != old_ptl)
		spin_lock(new_ptl);
	pmd = pte_read(old_pmd);
	/* the page-table scanner freed it, or it is a THP now */
	if (pte_hw_present(pmd) && !pmd_leaf(pmd)) {
		pte_write(old_pmd, 0);
		pfn_to_page(pte_pfn(pmd))->index = pmc->new_addr & PMD_MASK;
		pte_write(new_pmd, pmd);
		flush_tlb_range(pmc->old, pmc->old_addr, pmc->old_addr + PMD_SIZE);
		moved = true;
	}
	if (new_ptl != old_ptl)
		spin_unlock(new_ptl);
	spin_unlock(old_ptl);
	return moved;
}

enum pgt_entry { NORMAL_PMD, HPAGE_PMD };

/* A whole PMD entry: the rmap locks always for a PTE table (rmap walkers
 * read its entries without the PMD lock), as the caller says for a THP. */
static bool move_pgt_entry(struct pagetable_move_control *pmc, enum pgt_entry entry,
			   pteval_t *old_pmd, pteval_t *new_pmd)
{
	bool rmap_locks = entry == NORMAL_PMD || pmc->need_rmap_locks, moved;

	if (rmap_locks)
		take_rmap_locks(pmc->old);
	if (entry == NORMAL_PMD)
		moved = move_normal_pmd(pmc, old_pmd, new_pmd);
	else
		moved = move_huge_pmd(pmc->old, pmc->old_addr, old_pmd, new_pmd);
	if (rmap_locks)
		drop_rmap_locks(pmc->old);
	return moved;
}

/* Bytes to the next PMD boundary of either side, at most to the end. */
static unsigned long get_extent(struct pagetable_move_control *pmc)
{
	unsigned long extent = ((pmc->old_addr + PMD_SIZE) & PMD_MASK) - pmc->old_addr;
	unsigned long new_next = ((pmc->new_addr + PMD_SIZE) & PMD_MASK) - pmc->new_addr;

	if (extent > pmc->old_end - pmc->old_addr)
		extent = pmc->old_end - pmc->old_addr;
	return min(extent, new_next);
}

/* May the move start at @addr's PMD boundary instead?  Only from the start
 * of @v, and with nothing else mapped between the boundary and it. */
static bool can_align_down(struct vm_area_struct *v, unsigned long addr)
{
	struct vm_area_struct *other = find_vma(v->vm_mm, addr & PMD_MASK);

	if (v->vm_start != addr)
		return false;
	return !other || other->vm_start >= v->vm_start;
}

/* try_realign_addr: both sides equally misaligned, the range reaching the
 * next PMD boundary: move from the boundary below, a whole table at once. */
static void try_realign_addr(struct pagetable_move_control *pmc)
{
	unsigned long old_align = pmc->old_addr & ~PMD_MASK;

	if (pmc->len_in < PMD_SIZE - old_align || !old_align ||
	    old_align != (pmc->new_addr & ~PMD_MASK))
		return;
	if (!can_align_down(pmc->old, pmc->old_addr) || !can_align_down(pmc->new, pmc->new_addr))
		return;
	pmc->old_addr &= PMD_MASK;
	pmc->new_addr &= PMD_MASK;
}

/* Bytes of the asked range moved so far (a realigned start counts none). */
static unsigned long pmc_progress(struct pagetable_move_control *pmc)
{
	unsigned long start = pmc->old_end - pmc->len_in;

	return pmc->old_addr < start ? 0 : pmc->old_addr - start;
}

/* Move the page tables of [old_addr, old_end) to new_addr: the bytes moved
 * (less than asked when a table could not be allocated). */
static unsigned long move_page_tables(struct pagetable_move_control *pmc)
{
	struct mm_struct *mm = pmc->old->vm_mm;
	unsigned long extent;
	pteval_t *old_pmd, *new_pmd;

	if (!pmc->len_in)
		return 0;
	try_realign_addr(pmc);
	inc_tlb_flush_pending(mm);
	for (; pmc->old_addr < pmc->old_end; pmc->old_addr += extent, pmc->new_addr += extent) {
		extent = get_extent(pmc);
		old_pmd = get_old_pmd(mm, pmc->old_addr);
		if (!old_pmd)
			continue;
		new_pmd = alloc_new_pmd(mm, pmc->new_addr);
		if (!new_pmd)
			break;
again:
		if (pmd_leaf(pte_read(old_pmd))) {
			if (extent == PMD_SIZE &&
			    move_pgt_entry(pmc, HPAGE_PMD, old_pmd, new_pmd))
				continue;
			__split_huge_pmd(pmc->old, old_pmd, pmc->old_addr);
		} else if (extent == PMD_SIZE &&
			   move_pgt_entry(pmc, NORMAL_PMD, old_pmd, new_pmd)) {
			continue;
		}
		if (pte_none(pte_read(old_pmd)))
			continue;
		if (pte_none(pte_read(new_pmd)) && __pte_alloc(mm, new_pmd))
			break;
		if (move_ptes(pmc, extent, old_pmd, new_pmd) < 0)
			goto again;
		cpu_poll();
	}
	dec_tlb_flush_pending(mm);
	return pmc_progress(pmc);
}

/* ---- the VMA side ---- */

/*
 * copy_vma: the VMA for [new_addr, new_addr + len) with @vma's properties
 * and anon_vma chains, or the neighbour that range merged into.  An
 * anonymous VMA that never had an anon_vma takes the page offset of its
 * new place (it has no page whose index must match).  The source VMA may
 * itself have merged with the new range: vrm->vma is looked up again.
 */
static struct vm_area_struct *copy_vma(struct vma_remap_struct *vrm, unsigned long len,
				       bool *need_rmap_locks)
{
	struct vm_area_struct *vma = vrm->vma, *n, *m;
	unsigned long pgoff = vma->vm_pgoff + ((vrm->addr - vma->vm_start) >> PAGE_SHIFT);

	if (vma_is_anonymous(vma) && !vma->anon_vma)
		pgoff = vrm->new_addr >> PAGE_SHIFT;
	n = vm_area_dup(vma);
	if (!n)
		return NULL;
	n->vm_start = vrm->new_addr;
	n->vm_end = vrm->new_addr + len;
	n->vm_pgoff = pgoff;
	if (anon_vma_clone(n, vma)) {
		vm_area_free(n);
		return NULL;
	}
	vma_link(vrm->mm, n);
	/* a copy of a fork child's VMA is one too: it joins no neighbour
	 * without an anon_vma (is_mergeable_anon_vma's copied_from) */
	m = vma_merge_neighbours(n);
	*need_rmap_locks = m != n || m->vm_start != vrm->new_addr ||
			   m->vm_end != vrm->new_addr + len;
	if (*need_rmap_locks)
		vrm->vma = vma_lookup(vrm->mm, vrm->addr);
	return m;
}

/* mremap_userfaultfd_prep: without UFFD_FEATURE_EVENT_REMAP the new VMA is
 * no longer registered (with it, it stays, and move_vma reports the move). */
static void mremap_userfaultfd_prep(struct vm_area_struct *v)
{
	if (!userfaultfd_event_remap(v))
		v->vm_flags &= ~(VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR);
}

/*
 * Copy the VMA and move its page tables.  When the tables could not all
 * move, they go back and the new VMA is the one to unmap: vrm then
 * describes it, and the error is returned with *new_vma set.
 */
static int copy_vma_and_data(struct vma_remap_struct *vrm, struct vm_area_struct **new_vma)
{
	struct pagetable_move_control pmc = { .old_addr = vrm->addr, .new_addr = vrm->new_addr,
					      .old_end = vrm->addr + vrm->old_len,
					      .len_in = vrm->old_len };
	unsigned long moved;

	*new_vma = copy_vma(vrm, vrm->new_len, &pmc.need_rmap_locks);
	if (!*new_vma)
		return -ENOMEM;
	pmc.old = vrm->vma;
	pmc.new = *new_vma;
	moved = move_page_tables(&pmc);
	if (moved < vrm->old_len) {
		struct pagetable_move_control back = {
			.old = *new_vma, .new = vrm->vma, .old_addr = vrm->new_addr,
			.new_addr = vrm->addr, .old_end = vrm->new_addr + moved,
			.len_in = moved, .need_rmap_locks = true };

		move_page_tables(&back);
		vrm->vma = *new_vma;
		vrm->old_len = vrm->new_len;
		vrm->addr = vrm->new_addr;
		return -ENOMEM;
	}
	mremap_userfaultfd_prep(*new_vma);
	return 0;
}

/* Over-commit check (heuristic mode): what the move or growth adds. */
static bool vrm_charge(struct vma_remap_struct *vrm)
{
	unsigned long bytes = vrm->flags & MREMAP_DONTUNMAP ? vrm->new_len : vrm->delta;

	return !(vrm->vma->vm_flags & VM_ACCOUNT) || vm_enough_memory(bytes >> PAGE_SHIFT);
}

static int move_vma(struct vma_remap_struct *vrm, unsigned long *out)
{
	struct vm_area_struct *new_vma;
	struct mm_struct *mm = vrm->mm;
	unsigned long hiwater_vm = READ_ONCE(mm->hiwater_vm);
	int err;

	bool remap_event = userfaultfd_event_remap(vrm->vma);
	unsigned long from = vrm->addr, old_len = vrm->old_len;

	if (!vrm_charge(vrm))
		return -ENOMEM;
	err = copy_vma_and_data(vrm, &new_vma);
	if (err && !new_vma)
		return err;
	/* the new range counts in VmLck; the old one leaves it as it is
	 * unmapped (DONTUNMAP leaves its count behind, as 6.18 does) */
	if (!err && (new_vma->vm_flags & VM_LOCKED)) {
		WRITE_ONCE(mm->locked_vm, mm->locked_vm + (vrm->new_len >> PAGE_SHIFT));
		vrm->mlocked = true;
	}
	if (!err && (vrm->flags & MREMAP_DONTUNMAP)) {
		struct vm_area_struct *old = vrm->vma;

		/* the old VMA stays, empty and unlocked: its anon_vma links
		 * go when it was moved whole (a later fault starts afresh) */
		old->vm_flags &= ~VM_LOCKED_MASK;
		if (new_vma != old && vrm->addr == old->vm_start &&
		    vrm->addr + vrm->old_len == old->vm_end)
			unlink_anon_vmas(old);
	} else {
		do_munmap(mm, vrm->addr, vrm->old_len);
	}
	/* both ranges existed for a moment: that is no peak */
	WRITE_ONCE(mm->hiwater_vm, hiwater_vm);
	if (!err)
		*out = vrm->new_addr;
	if (!err && remap_event)	/* mremap_userfaultfd_complete */
		userfaultfd_remap_complete(mm, from, vrm->new_addr, old_len);
	return err;
}

/* ---- resizing ---- */

/* vma_expandable: nothing mapped in the @delta bytes after @v, below the
 * top of the address space. */
static bool vma_expandable(struct vm_area_struct *v, unsigned long delta)
{
	unsigned long end = v->vm_end + delta;
	struct vm_area_struct *next;

	if (end < v->vm_end || end > TASK_SIZE)
		return false;
	next = find_vma(v->vm_mm, v->vm_end);
	return !next || next->vm_start >= end;
}

/* The new range's address: the fixed one, or one get_unmapped_area picks
 * (a MREMAP_DONTUNMAP new_addr is a hint). */
static int vrm_set_new_addr(struct vma_remap_struct *vrm)
{
	struct vm_area_struct *v = vrm->vma;
	unsigned long hint = vrm->flags & MREMAP_DONTUNMAP ? vrm->new_addr : 0, a;

	if (vrm->flags & MREMAP_FIXED)
		return 0;
	a = mm_get_unmapped_area(vrm->mm, hint, vrm->new_len,
				 vma_is_anonymous(v) && !(v->vm_flags & VM_SHARED));
	if (!a)
		return -ENOMEM;
	vrm->new_addr = a;
	return 0;
}

/* Shrink: unmap the tail (6.18 lets it reach past the VMA). */
static int shrink_vma(struct vma_remap_struct *vrm)
{
	int err = do_munmap(vrm->mm, vrm->addr + vrm->new_len, vrm->delta);

	if (err)
		return err;
	vrm->vma = vma_lookup(vrm->mm, vrm->addr);
	return vrm->vma ? 0 : -EFAULT;
}

static int expand_vma(struct vma_remap_struct *vrm, unsigned long *out)
{
	int err;

	/* in place when the range reaches the VMA's end and room follows */
	if (vrm->vma->vm_end - vrm->addr == vrm->old_len &&
	    vma_expandable(vrm->vma, vrm->delta)) {
		if (!vrm_charge(vrm))
			return -ENOMEM;
		if (vrm->vma->vm_flags & VM_LOCKED) {
			WRITE_ONCE(vrm->mm->locked_vm,
				   vrm->mm->locked_vm + (vrm->delta >> PAGE_SHIFT));
			vrm->mlocked = true;
		}
		vma_merge_extend(vrm->vma, vrm->delta);
		*out = vrm->addr;
		return 0;
	}
	if (!(vrm->flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	err = vrm_set_new_addr(vrm);
	return err ? err : move_vma(vrm, out);
}

/* mremap_at: resize without a new address asked for. */
static int mremap_at(struct vma_remap_struct *vrm, unsigned long *out)
{
	int err;

	switch (vrm->remap_type) {
	case MREMAP_NO_RESIZE:
		break;
	case MREMAP_SHRINK:
		err = shrink_vma(vrm);
		if (err)
			return err;
		break;
	case MREMAP_EXPAND:
		return expand_vma(vrm, out);
	}
	*out = vrm->addr;
	return 0;
}

/* mremap_to: move to new_addr (MREMAP_FIXED: replacing what is there), or
 * with MREMAP_DONTUNMAP to where get_unmapped_area says. */
static int mremap_to(struct vma_remap_struct *vrm, unsigned long *out)
{
	int err;

	if (vrm->flags & MREMAP_FIXED) {
		err = do_munmap(vrm->mm, vrm->new_addr, vrm->new_len);
		if (err)
			return err;
		/* the unmap may have split the source VMA */
		vrm->vma = vma_lookup(vrm->mm, vrm->addr);
		if (!vrm->vma)
			return -EFAULT;
	}
	if (vrm->remap_type == MREMAP_SHRINK) {
		err = shrink_vma(vrm);
		if (err)
			return err;
		vrm->old_len = vrm->new_len;
	}
	err = vrm_set_new_addr(vrm);
	return err ? err : move_vma(vrm, out);
}

/* ---- argument checks ---- */

static bool vrm_implies_new_addr(struct vma_remap_struct *vrm)
{
	return vrm->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
}

/* check_mremap_params: what needs no VMA, in the kernel's order. */
static int check_mremap_params(struct vma_remap_struct *vrm)
{
	unsigned long flags = vrm->flags;

	if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if (vrm->addr & ~PAGE_MASK)
		return -EINVAL;
	if (!vrm->new_len || vrm->new_len > TASK_SIZE)
		return -EINVAL;
	if (!vrm_implies_new_addr(vrm))
		return 0;
	if (vrm->new_addr > TASK_SIZE - vrm->new_len || (vrm->new_addr & ~PAGE_MASK))
		return -EINVAL;
	if (!(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && vrm->old_len != vrm->new_len)
		return -EINVAL;
	/* the two ranges overlap */
	if (vrm->addr + vrm->old_len > vrm->new_addr &&
	    vrm->new_addr + vrm->new_len > vrm->addr)
		return -EINVAL;
	return 0;
}

/* check_prep_vma: what the VMA at addr allows. */
static int check_prep_vma(struct vma_remap_struct *vrm)
{
	struct vm_area_struct *vma = vrm->vma;
	unsigned long old_len = vrm->old_len, pgoff;

	if (!vma)
		return -EFAULT;
	if (vma_is_sealed(vma))
		return -EPERM;
	vrm->delta = vrm->old_len > vrm->new_len ? vrm->old_len - vrm->new_len :
						   vrm->new_len - vrm->old_len;
	vrm->remap_type = !vrm->delta ? MREMAP_NO_RESIZE :
			  vrm->old_len > vrm->new_len ? MREMAP_SHRINK : MREMAP_EXPAND;
	if (!vrm_implies_new_addr(vrm))
		vrm->new_addr = vrm->addr;
	if (vrm->remap_type != MREMAP_EXPAND && !vrm_implies_new_addr(vrm))
		return 0;
	/* old_len 0 duplicates a shared mapping; a private one cannot be */
	if (!old_len && !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;
	if ((vrm->flags & MREMAP_DONTUNMAP) && (vma->vm_flags & VM_DONTEXPAND))
		return -EINVAL;
	/* a shrink may unmap past the VMA; what moves may not leave it */
	if (vrm->remap_type == MREMAP_SHRINK)
		old_len = vrm->new_len;
	if (old_len > vma->vm_end - vrm->addr)
		return -EFAULT;
	if (vrm->new_len == old_len)
		return 0;
	pgoff = vma->vm_pgoff + ((vrm->addr - vma->vm_start) >> PAGE_SHIFT);
	if (pgoff + (vrm->new_len >> PAGE_SHIFT) < pgoff)
		return -EINVAL;
	if (vma->vm_flags & VM_DONTEXPAND)
		return -EFAULT;
	/* growing a locked VMA: within RLIMIT_MEMLOCK */
	if (vrm->remap_type == MREMAP_EXPAND &&
	    !mlock_future_ok(vrm->mm, vma->vm_flags, vrm->delta))
		return -EAGAIN;
	return 0;
}

/* May this VMA be one of several a remap_move moves?  Not with userfaultfd
 * (its events would need mmap_lock dropped in between). */
static bool vma_multi_allowed(struct vm_area_struct *v)
{
	return !(v->vm_flags & (VM_UFFD_MISSING | VM_UFFD_WP));
}

/*
 * remap_move: a MREMAP_FIXED move that keeps the size moves every VMA in
 * [addr, addr + old_len), keeping the gaps between them; the range must
 * start in a VMA.  The new address of the first part in *out.
 */
static int remap_move(struct vma_remap_struct *vrm, unsigned long *out)
{
	unsigned long start = vrm->addr, end = vrm->addr + vrm->old_len;
	unsigned long target = vrm->new_addr, last_end = 0, cur = start, res;
	struct vm_area_struct *vma;
	bool seen = false;
	int err = -EFAULT;

	while ((vma = find_vma(vrm->mm, cur)) && vma->vm_start < end) {
		unsigned long addr = max(vma->vm_start, start);
		unsigned long len = min(end, vma->vm_end) - addr;
		unsigned long offset = seen ? vma->vm_start - last_end : 0;

		if (!seen && start < vma->vm_start)
			return -EFAULT;
		last_end = vma->vm_end;
		if (!vma_multi_allowed(vma) && (seen || vma->vm_end < end))
			return -EFAULT;
		vrm->vma = vma;
		vrm->addr = addr;
		vrm->new_addr = target + offset;
		vrm->old_len = vrm->new_len = len;
		err = check_prep_vma(vrm);
		if (!err)
			err = mremap_to(vrm, &res);
		if (err)
			return err;
		if (!seen)
			*out = res;
		seen = true;
		target = res + len;
		/* on from the end the VMA had when found: with MREMAP_DONTUNMAP
		 * the range just moved stays mapped and may have merged back
		 * with the part of this VMA past end */
		cur = last_end;
	}
	return err;
}

int do_mremap(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
	      unsigned long new_len, unsigned long flags, unsigned long new_addr,
	      unsigned long *out)
{
	struct vma_remap_struct vrm = {
		.mm = mm, .addr = addr, .old_len = ALIGN_UP(old_len, PAGE_SIZE),
		.new_len = ALIGN_UP(new_len, PAGE_SIZE), .flags = flags, .new_addr = new_addr,
	};
	int ret = check_mremap_params(&vrm);

	if (ret)
		return ret;
	mmap_write_lock(mm);
	if ((flags & MREMAP_FIXED) && vrm.old_len == vrm.new_len) {
		ret = remap_move(&vrm, out);
	} else {
		vrm.vma = vma_lookup(mm, addr);
		ret = check_prep_vma(&vrm);
		if (!ret)
			ret = vrm_implies_new_addr(&vrm) ? mremap_to(&vrm, out) :
							   mremap_at(&vrm, out);
	}
	mmap_write_unlock(mm);
	/* what a locked VMA gained is faulted in */
	if (!ret && vrm.mlocked && vrm.new_len > vrm.old_len)
		__mm_populate(mm, *out + vrm.old_len, vrm.new_len - vrm.old_len, true);
	return ret;
}
