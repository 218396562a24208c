/*
 * mlock.c - locking memory: mlock, mlock2 (MLOCK_ONFAULT), munlock,
 * mlockall (MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT) and munlockall; the VMA
 * flags VM_LOCKED and VM_LOCKONFAULT (smaps "lo", "lf"), mm->locked_vm
 * (status VmLck) against RLIMIT_MEMLOCK unless the process has
 * CAP_IPC_LOCK, and the unevictable LRU that keeps reclaim off mlocked
 * folios.
 *
 * What is modelled, as 6.18 does it:
 *  - mlock_fixup splits and merges VMAs as mprotect does, counts
 *    locked_vm, and walks the present pages: each folio is mlocked
 *    (PG_mlocked, nr_mlock) and moved to the unevictable LRU, or munlocked
 *    and moved back.  A large folio is mlocked only when the range maps it
 *    whole; munlock takes any.  Then the range is populated (not for
 *    ONFAULT): writable private memory with write faults, the rest with
 *    read faults (the zero page where there is one); a PROT_NONE VMA or a
 *    fault that fails stops it with ENOMEM (EFAULT in GUP's terms), out of
 *    memory is EAGAIN.
 *  - Later faults in a VM_LOCKED VMA: a new anonymous folio is mlocked as
 *    it joins the LRU (folio_add_lru_vma -> mlock_new_folio); a small folio
 *    mapped again (shmem, swap cache, migration) is mlocked after its rmap
 *    is added; removing a mapping from a VM_LOCKED VMA munlocks the folio
 *    (mlock_count counts the VM_LOCKED mappings, about: it may undercount,
 *    and reclaim puts back an mlock it finds missing: folio_referenced and
 *    try_to_unmap refuse a VM_LOCKED mapping and mlock the folio again).
 *  - mlock_count lives in the lru field of a folio on the unevictable list,
 *    which is no real list (swap.c); a folio off the LRU (isolated, or in
 *    a CPU's add batch) only gets PG_mlocked and is sorted when it goes
 *    back.  The kernel also batches these moves per CPU (mlock_fbatch):
 *    the model moves the folio at once.
 *  - The limits (can_do_mlock, the locked_vm check of do_mlock and
 *    mlockall, mlock_future_ok for mmap, brk and mremap) read the
 *    process's RLIMIT_MEMLOCK and CAP_IPC_LOCK from its mm.
 *
 * Locks: mmap_lock for writing while VMA flags and locked_vm change, then
 * for reading while the range is populated (__mm_populate, mmap.c); the
 * page walk (walk_page_range, pagewalk.c) holds each PTE table's lock (the PMD lock for a PMD-mapped
 * THP).  PG_mlocked, PG_unevictable and mlock_count change under the
 * folio's lru_lock (a free clears them with nobody else left).
 */
#include <sys/mman.h>
#include "pagewalk.h"
#include "swap.h"

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT	0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT	4
#endif

/* ---- the unevictable LRU ---- */

static void folio_set_mlocked(struct page *folio, long nr)
{
	if (!test_and_set_page_flag(folio, PG_mlocked)) {
		count_vm_events(NR_MLOCK, nr);
		count_vm_events(UNEVICTABLE_PGMLOCKED, nr);
	}
}

/* @folio (off its list, PG_lru set) joins the unevictable list, counted
 * once.  Under the lru lock. */
static void lruvec_add_unevictable(struct lruvec *l, struct page *folio, long nr)
{
	clear_page_flag(folio, PG_active);
	set_page_flag(folio, PG_unevictable);
	lruvec_add_folio(l, folio);
	folio->mlock_count = 1;
	count_vm_events(UNEVICTABLE_PGCULLED, nr);
}

/* Mlock @folio: PG_mlocked, and to the unevictable list if on an LRU. */
void mlock_folio(struct page *folio)
{
	struct lruvec *l = folio_lruvec(folio);
	long nr = (long)folio_nr_pages(folio);

	spin_lock(&l->lru_lock);
	folio_set_mlocked(folio, nr);
	/* off the LRU: whoever puts it back sorts it (lru_add) */
	if (test_page_flag(folio, PG_lru)) {
		if (test_page_flag(folio, PG_unevictable)) {
			folio->mlock_count++;
		} else {
			lruvec_del_folio(l, folio);
			lruvec_add_unevictable(l, folio, nr);
		}
	}
	spin_unlock(&l->lru_lock);
}

/* One VM_LOCKED mapping of @folio went: when it was the last one (as far
 * as mlock_count knows), it is evictable again. */
void munlock_folio(struct page *folio)
{
	struct lruvec *l = folio_lruvec(folio);
	long nr = (long)folio_nr_pages(folio);
	bool on_lru;

	spin_lock(&l->lru_lock);
	on_lru = test_page_flag(folio, PG_lru);
	if (on_lru && test_page_flag(folio, PG_unevictable)) {
		if (folio->mlock_count)
			folio->mlock_count--;
		if (folio->mlock_count) {
			spin_unlock(&l->lru_lock);
			return;
		}
	}
	if (test_and_clear_page_flag(folio, PG_mlocked)) {
		count_vm_events(NR_MLOCK, -nr);
		count_vm_events(on_lru || !test_page_flag(folio, PG_unevictable) ?
				UNEVICTABLE_PGMUNLOCKED : UNEVICTABLE_PGSTRANDED, nr);
	}
	if (on_lru && test_page_flag(folio, PG_unevictable)) {
		lruvec_del_folio(l, folio);
		clear_page_flag(folio, PG_unevictable);
		lruvec_add_folio(l, folio);
		count_vm_events(UNEVICTABLE_PGRESCUED, nr);
	}
	spin_unlock(&l->lru_lock);
}

/* A new folio faulted into a VM_LOCKED VMA joins the unevictable list. */
void mlock_new_folio(struct page *folio)
{
	struct lruvec *l = folio_lruvec(folio);
	long nr = (long)folio_nr_pages(folio);

	spin_lock(&l->lru_lock);
	folio_set_mlocked(folio, nr);
	set_page_flag(folio, PG_lru);
	lruvec_add_unevictable(l, folio, nr);
	spin_unlock(&l->lru_lock);
}

void folio_add_lru_vma(struct page *folio, struct vm_area_struct *v)
{
	if (READ_ONCE(v->vm_flags) & VM_LOCKED)
		mlock_new_folio(folio);
	else
		folio_add_lru(folio);
}

/* The last reference of a folio went (it is off the LRU already). */
void mlock_clear_on_free(struct page *folio)
{
	long nr = (long)folio_nr_pages(folio);

	if (test_and_clear_page_flag(folio, PG_mlocked)) {
		count_vm_events(NR_MLOCK, -nr);
		count_vm_events(UNEVICTABLE_PGCLEARED, nr);
	}
	clear_page_flag(folio, PG_unevictable);
}

/* ---- mlocking the present pages of a range ---- */

/* A PMD-mapped THP of a VMA whose VM_LOCKED changed; false if the PMD is
 * no leaf any more (the caller walks its table). */
static bool mlock_pmd(pteval_t *pmd, bool lock)
{
	spinlock_t *pml = pmd_lockptr(pmd);
	pteval_t e;

	spin_lock(pml);
	e = pte_read(pmd);
	if (!pmd_leaf(e)) {
		spin_unlock(pml);
		return false;
	}
	if (pte_present(e) && !is_huge_zero_pmd(e)) {
		struct page *folio = pfn_to_page(pte_pfn(e));

		if (lock)
			mlock_folio(folio);
		else
			munlock_folio(folio);
	}
	spin_unlock(pml);
	return true;
}

struct mlock_walk_private {
	bool lock;			/* mlock, or munlock */
	unsigned long resume;		/* PTEs below it are done (a large folio) */
	unsigned long table_end;	/* of the PMD range being walked */
};

/* mlock_pte_range's PMD part: a PMD-mapped THP is (un)locked whole. */
static int mlock_pmd_entry(pteval_t *pmd, unsigned long addr, unsigned long next,
			   struct mm_walk *walk)
{
	struct mlock_walk_private *mp = walk->private;

	(void)addr;
	mp->table_end = next;
	cpu_poll();
	if (pmd_leaf(pte_read(pmd)) && mlock_pmd(pmd, mp->lock))
		walk->action = ACTION_CONTINUE;
	return 0;
}

/* One PTE (its table locked); a large folio is taken once, for all the
 * PTEs that map it in a run. */
static int mlock_pte_entry(pteval_t *pte, unsigned long addr, unsigned long next,
			   struct mm_walk *walk)
{
	struct mlock_walk_private *mp = walk->private;
	pteval_t e;
	struct page *page, *folio;

	(void)next;
	if (addr < mp->resume)
		return 0;
	e = pte_read(pte);
	if (!pte_present(e) || pte_special(e))
		return 0;
	page = pfn_to_page(pte_pfn(e));
	folio = compound_head(page);
	if (folio_test_large(folio)) {
		unsigned long step = folio_pte_batch(pte, addr, mp->table_end, folio, page);

		mp->resume = addr + step * PAGE_SIZE;
		/* allow_mlock_munlock: mlock a large folio only where this
		 * range maps all of it */
		if (mp->lock && (page != folio || step != folio_nr_pages(folio)))
			return 0;
	}
	if (mp->lock)
		mlock_folio(folio);
	else
		munlock_folio(folio);
	return 0;
}

static const struct mm_walk_ops mlock_walk_ops = {
	.pmd_entry = mlock_pmd_entry,
	.pte_entry = mlock_pte_entry,
	.walk_lock = PGWALK_WRLOCK,
};

/* mlock_vma_pages_range: @v (mmap_lock held for writing) takes @newflags,
 * and every folio present in [start, end) follows its VM_LOCKED. */
static void mlock_vma_pages_range(struct vm_area_struct *v, unsigned long start,
				  unsigned long end, unsigned long newflags)
{
	struct mlock_walk_private mp = { .lock = newflags & VM_LOCKED };

	WRITE_ONCE(v->vm_flags, newflags);
	walk_page_range(v->vm_mm, start, end, &mlock_walk_ops, &mp);
}

/*
 * mlock_fixup: [start, end) of @v gets @newflags (its VM_LOCKED and
 * VM_LOCKONFAULT): split, count locked_vm, (un)mlock the present pages,
 * merge.  mmap_lock held for writing.
 */
static int mlock_fixup(struct vm_area_struct *v, unsigned long start, unsigned long end,
		       unsigned long newflags)
{
	struct mm_struct *mm = v->vm_mm;
	unsigned long oldflags = v->vm_flags;
	long nr_pages = (long)((end - start) >> PAGE_SHIFT);
	int ret;

	/* a droppable VMA is never locked (it does not count either) */
	if (newflags == oldflags || (oldflags & VM_DROPPABLE))
		return 0;
	/* split and merge as mprotect does: the VMA covering the range has
	 * the new flags then (no protection bit changes, no PTE is touched) */
	ret = vma_modify_flags(v, start, end, newflags);
	if (ret)
		return ret;
	if (!(newflags & VM_LOCKED))
		nr_pages = -nr_pages;
	else if (oldflags & VM_LOCKED)
		nr_pages = 0;	/* ONFAULT alone changed: counted already */
	WRITE_ONCE(mm->locked_vm, mm->locked_vm + nr_pages);
	v = vma_lookup(mm, start);
	/* locked before and after: no page to (un)mlock, and mlocking twice
	 * would be wrong */
	if (!((newflags & VM_LOCKED) && (oldflags & VM_LOCKED)))
		mlock_vma_pages_range(v, start, end, newflags);
	return 0;
}

/* apply_vma_lock_flags: every VMA of [start, start + len) gets @flags; a
 * hole is -ENOMEM, after the VMAs before it changed. */
static int apply_vma_lock_flags(struct mm_struct *mm, unsigned long start,
				unsigned long len, unsigned long flags)
{
	unsigned long end = start + len, nstart = start, tmp;
	struct vm_area_struct *v;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	v = vma_lookup(mm, start);
	if (!v)
		return -ENOMEM;
	for (tmp = v->vm_start; v && v->vm_start < end;) {
		int ret;

		if (v->vm_start != tmp)
			return -ENOMEM;
		tmp = min(v->vm_end, end);
		ret = mlock_fixup(v, nstart, tmp, (v->vm_flags & ~VM_LOCKED_MASK) | flags);
		if (ret)
			return ret;
		/* on after the VMA that now holds the range (it may have
		 * merged with the next one) */
		tmp = find_vma(mm, tmp - 1)->vm_end;
		nstart = tmp;
		v = find_vma(mm, tmp);
	}
	return tmp < end ? -ENOMEM : 0;
}

/* Pages of VM_LOCKED VMAs inside [start, start + len). */
static unsigned long count_mm_mlocked_page_nr(struct mm_struct *mm, unsigned long start,
					      unsigned long len)
{
	unsigned long end = start + len < start ? ~0UL : start + len, count = 0;

	for (struct vm_area_struct *v = find_vma(mm, start); v && v->vm_start < end;
	     v = vma_next(mm, v))
		if (v->vm_flags & VM_LOCKED)
			count += min(v->vm_end, end) - max(v->vm_start, start);
	return count >> PAGE_SHIFT;
}

bool can_do_mlock(struct mm_struct *mm)
{
	return READ_ONCE(mm->rlim_memlock) != 0 || READ_ONCE(mm->cap_ipc_lock);
}

/* May @bytes more become locked (mmap's MAP_LOCKED or MCL_FUTURE, brk,
 * mremap growing a locked VMA)?  No: -EAGAIN for the caller. */
bool mlock_future_ok(struct mm_struct *mm, unsigned long flags, unsigned long bytes)
{
	if (!(flags & VM_LOCKED) || READ_ONCE(mm->cap_ipc_lock))
		return true;
	return (bytes >> PAGE_SHIFT) + READ_ONCE(mm->locked_vm) <=
	       READ_ONCE(mm->rlim_memlock) >> PAGE_SHIFT;
}

/* GUP's errors as mlock reports them: EFAULT is ENOMEM, ENOMEM EAGAIN. */
static int mlock_posix_error_return(int err)
{
	if (err == -EFAULT)
		return -ENOMEM;
	if (err == -ENOMEM)
		return -EAGAIN;
	return err;
}

/* mlock and mlock2: @flags are MLOCK_ONFAULT or 0. */
int do_mlock(struct mm_struct *mm, unsigned long start, unsigned long len,
	     unsigned long flags)
{
	unsigned long vm_flags = VM_LOCKED, lock_limit, locked;
	bool cap;
	int ret = -ENOMEM;

	if (flags & ~(unsigned long)MLOCK_ONFAULT)
		return -EINVAL;
	if (flags & MLOCK_ONFAULT)
		vm_flags |= VM_LOCKONFAULT;
	if (!can_do_mlock(mm))
		return -EPERM;
	len = ALIGN_UP(len + (start & ~PAGE_MASK), PAGE_SIZE);
	start &= PAGE_MASK;
	mmap_write_lock(mm);
	cap = mm->cap_ipc_lock;
	lock_limit = mm->rlim_memlock >> PAGE_SHIFT;
	locked = (len >> PAGE_SHIFT) + mm->locked_vm;
	/* what the range already locks is not counted twice */
	if (locked > lock_limit && !cap)
		locked -= count_mm_mlocked_page_nr(mm, start, len);
	if (locked <= lock_limit || cap)
		ret = apply_vma_lock_flags(mm, start, len, vm_flags);
	mmap_write_unlock(mm);
	if (ret)
		return ret;
	ret = __mm_populate(mm, start, len, false);
	return ret ? mlock_posix_error_return(ret) : 0;
}

int do_munlock(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	int ret;

	len = ALIGN_UP(len + (start & ~PAGE_MASK), PAGE_SIZE);
	start &= PAGE_MASK;
	mmap_write_lock(mm);
	ret = apply_vma_lock_flags(mm, start, len, 0);
	mmap_write_unlock(mm);
	return ret;
}

/* apply_mlockall_flags: MCL_FUTURE sets the flags of new VMAs, MCL_CURRENT
 * those of every VMA now (errors of a VMA are passed over); 0 clears all. */
static void apply_mlockall_flags(struct mm_struct *mm, int flags)
{
	unsigned long to_add = 0;

	mm->def_flags &= ~VM_LOCKED_MASK;
	if (flags & MCL_FUTURE) {
		mm->def_flags |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			mm->def_flags |= VM_LOCKONFAULT;
		if (!(flags & MCL_CURRENT))
			return;
	}
	if (flags & MCL_CURRENT) {
		to_add |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			to_add |= VM_LOCKONFAULT;
	}
	for (struct vm_area_struct *v = node_vma(range_tree_first(&mm->mm_mt)); v;) {
		unsigned long end = v->vm_end;

		mlock_fixup(v, v->vm_start, end, (v->vm_flags & ~VM_LOCKED_MASK) | to_add);
		v = find_vma(mm, end);
	}
}

int do_mlockall(struct mm_struct *mm, int flags)
{
	int ret = -ENOMEM;

	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!can_do_mlock(mm))
		return -EPERM;
	mmap_write_lock(mm);
	/* MCL_CURRENT counts the whole address space against the limit */
	if (!(flags & MCL_CURRENT) || mm->total_vm <= mm->rlim_memlock >> PAGE_SHIFT ||
	    mm->cap_ipc_lock) {
		apply_mlockall_flags(mm, flags);
		ret = 0;
	}
	mmap_write_unlock(mm);
	if (!ret && (flags & MCL_CURRENT))
		__mm_populate(mm, 0, TASK_SIZE, true);
	return ret;
}

int do_munlockall(struct mm_struct *mm)
{
	mmap_write_lock(mm);
	apply_mlockall_flags(mm, 0);
	mmap_write_unlock(mm);
	return 0;
}
