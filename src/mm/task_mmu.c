/*
 * task_mmu.c - the /proc/PID views of an address space: pagemap, status and
 * smaps, computed as fs/proc/task_mmu.c does; pagemap, smaps and clear_refs
 * walk the tables through walk_page_range() (pagewalk.c).
 *
 * All three hold mmap_lock for reading; pagemap and smaps read each PTE
 * table under its PTE lock, a PMD mapping under its PMD lock.
 */
#include <stdio.h>
#include "pagewalk.h"
#include "swap.h"

#define VM_GROWSDOWN	0x00000100UL
#define VM_SEQ_READ	0x00008000UL
#define VM_RAND_READ	0x00010000UL
#define VM_WIPEONFORK	0x02000000UL
#define VM_DONTDUMP	0x04000000UL

static uint64_t pte_to_pagemap_entry(pteval_t pte)
{
	uint64_t e = 0;
	struct page *page;

	if (pte_none(pte))
		return 0;
	if (!pte_present(pte)) {
		swp_entry_t se = pte_to_swp_entry(pte);
		unsigned long off = swp_offset(se);

		e = MMLAB_PM_SWAP | ((swp_type(se) | ((uint64_t)off << MAX_SWAPFILES_SHIFT)) &
				     MMLAB_PM_PFN_MASK);
		if (pte & _PAGE_SWP_SOFT_DIRTY)
			e |= MMLAB_PM_SOFT_DIRTY;
		if (pte & _PAGE_SWP_UFFD_WP)
			e |= MMLAB_PM_UFFD_WP;
		if (is_pte_marker_entry(se)) {
			if (off & PTE_MARKER_UFFD_WP)
				e |= MMLAB_PM_UFFD_WP;
			if (off & PTE_MARKER_GUARD)
				e |= MMLAB_PM_GUARD_REGION;
			/* the model's soft-dirty marker alone is none with
			 * information, not a swapped page */
			if (off == PTE_MARKER_SOFT_DIRTY)
				return MMLAB_PM_SOFT_DIRTY;
			if (off & PTE_MARKER_SOFT_DIRTY)
				e |= MMLAB_PM_SOFT_DIRTY;
		} else if (is_migration_entry(se) && !PageAnon(pfn_to_page(off))) {
			e |= MMLAB_PM_FILE;
		}
		return e;
	}
	e = MMLAB_PM_PRESENT | (pte_pfn(pte) & MMLAB_PM_PFN_MASK);
	if (pte & _PAGE_SOFT_DIRTY)
		e |= MMLAB_PM_SOFT_DIRTY;
	if (pte & _PAGE_UFFD_WP)
		e |= MMLAB_PM_UFFD_WP;
	if (pte_special(pte))
		return e;	/* the zero page: no struct page to speak of */
	page = pfn_to_page(pte_pfn(pte));
	if (!PageAnon(page))
		e |= MMLAB_PM_FILE;
	if (page_mapcount(page) == 1)
		e |= MMLAB_PM_MMAP_EXCLUSIVE;
	return e;
}

/* Entries of a PMD mapping (PMD lock held) for the pages of [a, end). */
static void pmd_leaf_pagemap(pteval_t v, unsigned long a, unsigned long end, uint64_t *out)
{
	/* the flags come from the PMD's page (the head), for all 512 entries,
	 * as pagemap_pmd_range computes them once */
	struct page *head = pfn_to_page(pte_pfn(v));
	uint64_t flags = MMLAB_PM_PRESENT;

	if (v & _PAGE_SOFT_DIRTY)
		flags |= MMLAB_PM_SOFT_DIRTY;
	if (v & _PAGE_UFFD_WP)
		flags |= MMLAB_PM_UFFD_WP;
	if (!PageAnon(head))
		flags |= MMLAB_PM_FILE;	/* the huge zero page too */
	/* a shmem THP one PMD maps is exclusive too; the huge zero page is
	 * counted in no mapcount */
	if (!is_huge_zero_pmd(v) && page_mapcount(head) == 1)
		flags |= MMLAB_PM_MMAP_EXCLUSIVE;
	for (unsigned long k = 0; a < end; a += PAGE_SIZE, k++)
		out[k] = flags | ((pte_pfn(v) + pte_index(a)) & MMLAB_PM_PFN_MASK);
}

/*
 * What pagemap needs the VMA for: VM_SOFTDIRTY makes every page of the VMA
 * soft-dirty; and in the `lookup` PM_SWAP mode (the alternative the PTE-marker RFC
 * argues against), every none entry of a shmem VMA costs a page-cache
 * lookup to report a swapped page.
 */
static void pagemap_vma_bits(struct vm_area_struct *v, unsigned long s, unsigned long e,
			     uint64_t *out)
{
	bool lookup = READ_ONCE(knobs.shmem_pm_swap) == PM_SWAP_LOOKUP;

	if (!v || !(READ_ONCE(knobs.soft_dirty) || lookup) ||
	    !((v->vm_flags & VM_SOFTDIRTY) || (lookup && v->vm_file)))
		return;
	for (unsigned long a = s; a < e; a += PAGE_SIZE, out++) {
		if (v->vm_flags & VM_SOFTDIRTY)
			*out |= MMLAB_PM_SOFT_DIRTY;
		if (lookup && v->vm_file && !(*out & (MMLAB_PM_PRESENT | MMLAB_PM_SWAP)) &&
		    shmem_is_swapped(v->vm_file, linear_page_index(v, a)))
			*out |= MMLAB_PM_SWAP;
	}
}

struct pagemap_read_priv {
	unsigned long addr;	/* of out[0] */
	uint64_t *out;
};

static uint64_t *pagemap_slot(struct pagemap_read_priv *pm, unsigned long a)
{
	return pm->out + ((a - pm->addr) >> PAGE_SHIFT);
}

static int pagemap_pte_hole(unsigned long a, unsigned long end, int depth,
			    struct mm_walk *walk)
{
	uint64_t *o = pagemap_slot(walk->private, a);

	(void)depth;
	memset(o, 0, ((end - a) >> PAGE_SHIFT) * sizeof(*o));
	pagemap_vma_bits(walk->vma, a, end, o);
	return 0;
}

/* pagemap_pmd_range's PMD mapping, under the PMD lock. */
static int pagemap_pmd_entry(pteval_t *pmd, unsigned long a, unsigned long end,
			     struct mm_walk *walk)
{
	uint64_t *o = pagemap_slot(walk->private, a);
	spinlock_t *ptl;
	pteval_t val;

	if (!pmd_leaf(pte_read(pmd)) || !(ptl = pmd_trans_huge_lock(pmd, &val)))
		return 0;
	pmd_leaf_pagemap(val, a, end, o);
	pagemap_vma_bits(walk->vma, a, end, o);
	spin_unlock(ptl);
	walk->action = ACTION_CONTINUE;
	return 0;
}

static int pagemap_pte_entry(pteval_t *pte, unsigned long a, unsigned long end,
			     struct mm_walk *walk)
{
	uint64_t *o = pagemap_slot(walk->private, a);

	*o = pte_to_pagemap_entry(pte_read(pte));
	pagemap_vma_bits(walk->vma, a, end, o);
	return 0;
}

static const struct mm_walk_ops pagemap_read_ops = {
	.pmd_entry = pagemap_pmd_entry,
	.pte_entry = pagemap_pte_entry,
	.pte_hole = pagemap_pte_hole,
	.walk_lock = PGWALK_RDLOCK,
};

int pagemap_read(struct mm_struct *mm, unsigned long addr, unsigned long npages,
		 uint64_t *out)
{
	struct pagemap_read_priv pm = { .addr = addr, .out = out };
	int ret = 0;

	if (!npages)
		return 0;
	down_read(&mm->mmap_lock);
	ret = walk_page_range(mm, addr, addr + (npages << PAGE_SHIFT), &pagemap_read_ops, &pm);
	up_read(&mm->mmap_lock);
	return ret;
}

static void vm_flags_string(unsigned long f, char *buf, size_t len)
{
	/* in bit order, as show_smap_vma_flags prints them */
	static const struct { unsigned long bit; const char *name; } names[] = {
		{ VM_READ, "rd" }, { VM_WRITE, "wr" }, { VM_EXEC, "ex" },
		{ VM_SHARED, "sh" }, { VM_MAYREAD, "mr" }, { VM_MAYWRITE, "mw" },
		{ VM_MAYEXEC, "me" }, { VM_MAYSHARE, "ms" }, { VM_GROWSDOWN, "gd" },
		{ VM_UFFD_MISSING, "um" }, { VM_MAYBE_GUARD, "gu" }, { VM_UFFD_WP, "uw" },
		{ VM_LOCKED, "lo" }, { VM_SEQ_READ, "sr" }, { VM_RAND_READ, "rr" },
		{ VM_DONTCOPY, "dc" }, { VM_DONTEXPAND, "de" }, { VM_LOCKONFAULT, "lf" },
		{ VM_ACCOUNT, "ac" },
		{ VM_NORESERVE, "nr" }, { VM_WIPEONFORK, "wf" }, { VM_DONTDUMP, "dd" },
		{ VM_SOFTDIRTY, "sd" }, { VM_HUGEPAGE, "hg" }, { VM_NOHUGEPAGE, "nh" },
		{ VM_MERGEABLE, "mg" }, { VM_DROPPABLE, "dp" },
		{ VM_SEALED, "sl" },
	};
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if ((f & names[i].bit) && o + 4 < len)
			o += snprintf(buf + o, len - o, "%s%s", o ? " " : "", names[i].name);
}

/* What smaps sums over a VMA; the PSS figures in bytes << 12. */
struct mem_size_stats {
	struct mmlab_smaps *s;
	uint64_t pss, pss_dirty, swap_pss, pss_locked;
	bool locked;			/* the VMA is VM_LOCKED */
	bool shmem_holes;		/* a private shmem mapping: holes count its swap */
	unsigned long hole_swap;	/* pages */
};

/* smaps_account for one page mapped once by this entry */
static void smaps_account(struct mem_size_stats *mss, struct page *page, bool young,
			  bool pte_dirty_bit)
{
	struct mmlab_smaps *s = mss->s;
	int mc = page_mapcount(page);
	bool dirty = pte_dirty_bit || PageDirty(page);
	struct page *folio = compound_head(page);
	uint64_t share = (uint64_t)PAGE_SIZE << 12;

	s->Rss += 4;
	if (young || test_page_flag(folio, PG_referenced))
		s->Referenced += 4;
	if (PageAnon(page)) {
		s->Anonymous += 4;
		/* MADV_FREE'd and not written since: reclaim may drop it */
		if (!test_page_flag(folio, PG_swapbacked) && !dirty)
			s->LazyFree += 4;
	}
	if (mc >= 2)
		share /= mc;
	mss->pss += share;
	if (dirty)
		mss->pss_dirty += share;
	if (mss->locked)
		mss->pss_locked += share;
	if (mc >= 2) {
		if (dirty)
			s->Shared_Dirty += 4;
		else
			s->Shared_Clean += 4;
	} else {
		if (dirty)
			s->Private_Dirty += 4;
		else
			s->Private_Clean += 4;
	}
}

/*
 * smaps' THPeligible: some order the VMA's flags and the sysfs modes allow
 * has an aligned block inside the VMA (tried from the largest order down,
 * ending at vm_end, as __thp_vma_allowable_orders does for smaps).
 */
static int smaps_thp_eligible(struct vm_area_struct *v)
{
	unsigned long orders = thp_vma_allowable_orders(v, (1UL << (HPAGE_PMD_ORDER + 1)) - 4, true);

	for (int o = HPAGE_PMD_ORDER; o >= 2; o--)
		if ((orders & (1UL << o)) &&
		    thp_vma_suitable_order(v, v->vm_end - (PAGE_SIZE << o), o))
			return 1;
	return 0;
}

/* smaps_pmd_entry (a PROT_NONE PMD is present too); the huge zero page
 * counts nothing. */
static int smaps_pmd_entry(pteval_t *pmd, unsigned long a, unsigned long end,
			   struct mm_walk *walk)
{
	struct mem_size_stats *mss = walk->private;
	spinlock_t *ptl;
	pteval_t e;

	(void)a;
	(void)end;
	if (!pmd_leaf(pte_read(pmd)) || !(ptl = pmd_trans_huge_lock(pmd, &e)))
		return 0;
	if (!is_huge_zero_pmd(e) && pte_present(e)) {
		for (int k = 0; k < HPAGE_PMD_NR; k++)
			smaps_account(mss, pfn_to_page(pte_pfn(e) + k), pte_young(e), pte_dirty(e));
		if (PageAnon(pfn_to_page(pte_pfn(e))))
			mss->s->AnonHugePages += 2048;
		else
			mss->s->ShmemPmdMapped += 2048;
	}
	spin_unlock(ptl);
	walk->action = ACTION_CONTINUE;
	return 0;
}

/* smaps_pte_entry: a page, a swap entry, or a page on its way. */
static int smaps_pte_entry(pteval_t *pte, unsigned long a, unsigned long end,
			   struct mm_walk *walk)
{
	struct mem_size_stats *mss = walk->private;
	pteval_t e = pte_read(pte);

	(void)end;
	if (is_swap_pte(e)) {
		swp_entry_t se = pte_to_swp_entry(e);

		if (!non_swap_entry(se)) {
			int cnt = __swap_count(se);

			mss->s->Swap += 4;
			mss->swap_pss += ((uint64_t)PAGE_SIZE << 12) / (cnt ? cnt : 1);
		} else if (is_migration_entry(se)) {
			/* a page on its way: counted as it was */
			mss->s->Rss += 4;
			mss->pss += (uint64_t)PAGE_SIZE << 12;
			if (mss->locked)
				mss->pss_locked += (uint64_t)PAGE_SIZE << 12;
		}
		return 0;
	}
	if (!pte_present(e) || pte_special(e)) {
		if (pte_none(e) && mss->shmem_holes)
			mss->hole_swap += shmem_swap_usage(walk->vma->vm_file,
				linear_page_index(walk->vma, a), linear_page_index(walk->vma, a) + 1);
		return 0;
	}
	smaps_account(mss, pfn_to_page(pte_pfn(e)), pte_young(e), pte_dirty(e));
	return 0;
}

/* smaps_pte_hole: a private shmem mapping counts the file's swapped pages
 * where it has no page table. */
static int smaps_pte_hole(unsigned long a, unsigned long end, int depth, struct mm_walk *walk)
{
	struct mem_size_stats *mss = walk->private;

	(void)depth;
	if (mss->shmem_holes)
		mss->hole_swap += shmem_swap_usage(walk->vma->vm_file, linear_page_index(walk->vma, a),
						   linear_page_index(walk->vma, end));
	return 0;
}

static const struct mm_walk_ops smaps_walk_ops = {
	.pmd_entry = smaps_pmd_entry,
	.pte_entry = smaps_pte_entry,
	.pte_hole = smaps_pte_hole,
	.walk_lock = PGWALK_RDLOCK,
};

/* The header of one VMA's smaps: its size, flags and THP eligibility. */
static void smaps_vma_header(struct vm_area_struct *v, struct mmlab_smaps *s)
{
	s->start = v->vm_start;
	s->end = v->vm_end;
	s->Size = (v->vm_end - v->vm_start) >> 10;
	s->KernelPageSize = s->MMUPageSize = PAGE_SIZE >> 10;
	s->THPeligible = smaps_thp_eligible(v);
	vm_flags_string(v->vm_flags, s->flags, sizeof(s->flags));
}

int mmlab_smaps(struct mmlab_proc *p, uint64_t addr, struct mmlab_smaps *s)
{
	struct mem_size_stats mss = { .s = s };
	struct mm_struct *mm;
	struct vm_area_struct *v;

	if (!p || !s)
		return -EINVAL;
	mm = p->mm;
	memset(s, 0, sizeof(*s));
	down_read(&mm->mmap_lock);
	v = vma_lookup(mm, addr);
	if (!v) {
		up_read(&mm->mmap_lock);
		return -ENOENT;
	}
	smaps_vma_header(v, s);
	mss.locked = v->vm_flags & VM_LOCKED;
	if (v->vm_file) {
		/* shmem: swapped pages of the file range (shared, or never
		 * written privately) are counted from the file itself */
		if ((v->vm_flags & VM_SHARED) || !(v->vm_flags & VM_WRITE))
			mss.hole_swap = shmem_swap_usage(v->vm_file, v->vm_pgoff,
							 v->vm_pgoff + vma_pages(v));
		else
			mss.shmem_holes = true;
	}
	walk_page_vma(v, &smaps_walk_ops, &mss);
	s->Pss = (mss.pss >> 12) >> 10;
	s->Pss_Dirty = (mss.pss_dirty >> 12) >> 10;
	s->Locked = (mss.pss_locked >> 12) >> 10;
	s->Swap += (uint64_t)mss.hole_swap * 4;
	/* shmem's swapped pages count in Swap only (smaps_pte_hole /
	 * shmem_partial_swap_usage): SwapPss comes from swap PTEs */
	s->SwapPss = (mss.swap_pss >> 12) >> 10;
	up_read(&mm->mmap_lock);
	return 0;
}

int mmlab_status(struct mmlab_proc *p, struct mmlab_status *st)
{
	struct mm_struct *mm;

	if (!p || !st)
		return -EINVAL;
	mm = p->mm;
	st->RssAnon = get_mm_counter(mm, MM_ANONPAGES) * 4;
	st->RssFile = get_mm_counter(mm, MM_FILEPAGES) * 4;
	st->RssShmem = get_mm_counter(mm, MM_SHMEMPAGES) * 4;
	st->VmRSS = st->RssAnon + st->RssFile + st->RssShmem;
	st->VmPTE = (uint64_t)atomic_read(&mm->pgtables_bytes) >> 10;
	st->VmSwap = get_mm_counter(mm, MM_SWAPENTS) * 4;
	st->VmSize = READ_ONCE(mm->total_vm) * 4;
	st->VmLck = READ_ONCE(mm->locked_vm) * 4;
	/* task_mem: the peaks, or what there is now if that is more */
	st->VmPeak = max(READ_ONCE(mm->hiwater_vm), READ_ONCE(mm->total_vm)) * 4;
	st->VmHWM = max(READ_ONCE(mm->hiwater_rss) * 4, st->VmRSS);
	return 0;
}

int mmlab_pagemap(struct mmlab_proc *p, uint64_t addr, uint64_t npages, uint64_t *out)
{
	if (!p || (!out && npages))
		return -EINVAL;
	if (addr & ~PAGE_MASK)
		addr &= PAGE_MASK;	/* the file offset is addr / 4096 * 8 */
	if (npages > (1ULL << 36) || addr + (npages << PAGE_SHIFT) < addr)
		return -EINVAL;
	return pagemap_read(p->mm, addr, npages, out);
}

int mmlab_vma_count(struct mmlab_proc *p)
{
	int n;

	if (!p)
		return -EINVAL;
	down_read(&p->mm->mmap_lock);
	n = (int)p->mm->mm_mt.count;
	up_read(&p->mm->mmap_lock);
	return n;
}

int mmlab_vma_get(struct mmlab_proc *p, int i, uint64_t *start, uint64_t *end,
		  int *prot, int *flags)
{
	struct vm_area_struct *v;
	int ret = -ENOENT;

	if (!p || i < 0)
		return -EINVAL;
	down_read(&p->mm->mmap_lock);
	for (v = node_vma(range_tree_first(&p->mm->mm_mt)); v && i; v = vma_next(p->mm, v))
		i--;
	if (v) {
		if (start)
			*start = v->vm_start;
		if (end)
			*end = v->vm_end;
		if (prot)
			*prot = (int)(v->vm_flags & VM_ACCESS_FLAGS);
		if (flags)
			*flags = (v->vm_flags & VM_SHARED) ? 0x01 : 0x02;
		ret = 0;
	}
	up_read(&p->mm->mmap_lock);
	return ret;
}

/* clear_soft_dirty_pmd: a PMD-mapped THP stays one: its PMD loses the
 * soft-dirty bit and write permission, so that the next write faults
 * (do_huge_pmd_wp_page) and sets the bit on the PMD again. */
static void clear_soft_dirty_pmd(struct vm_area_struct *v, pteval_t *pmd, unsigned long a)
{
	unsigned long haddr = a & PMD_MASK;
	pteval_t e = pte_read(pmd);

	if (e & (_PAGE_SOFT_DIRTY | _PAGE_RW)) {
		/* pmdp_invalidate: gone from every TLB before it comes back
		 * read-only, so no write slips through unseen */
		e = pmdp_invalidate(v, haddr, pmd);
		pte_write(pmd, e & ~(_PAGE_SOFT_DIRTY | _PAGE_RW));
	}
}

/* clear_soft_dirty's PTE: a present one is write-protected, a swap entry
 * or a marker loses its soft-dirty bit. */
static void clear_soft_dirty_pte(struct mmu_gather *tlb, pteval_t *q, unsigned long a)
{
	pteval_t e = pte_read(q);

	if (pte_present(e) && (e & (_PAGE_SOFT_DIRTY | _PAGE_RW))) {
		e = pte_xchg(q, 0);
		pte_write(q, e & ~(_PAGE_SOFT_DIRTY | _PAGE_RW));
		tlb_remove_tlb_entry(tlb, a);
	} else if (is_swap_pte(e)) {
		swp_entry_t se = pte_to_swp_entry(e);

		if (is_pte_marker_entry(se) && swp_offset(se) == PTE_MARKER_SOFT_DIRTY)
			pte_write(q, 0);
		else if (is_pte_marker_entry(se) && (swp_offset(se) & PTE_MARKER_SOFT_DIRTY))
			pte_write(q, make_pte_marker(swp_offset(se) & ~PTE_MARKER_SOFT_DIRTY));
		else
			pte_write(q, e & ~_PAGE_SWP_SOFT_DIRTY);
	}
}

struct clear_refs_private {
	int type;
	struct mmu_gather *tlb;		/* type 4 */
};

/*
 * clear_refs_test_walk: 2 (anon) passes over file-backed VMAs, 3 (mapped)
 * over the others; within a VMA every page.  4 (soft-dirty) takes every
 * VMA: it loses VM_SOFTDIRTY, and shared writable PTEs start read-only so
 * that a write is seen.
 */
static int clear_refs_test_walk(unsigned long start, unsigned long end, struct mm_walk *walk)
{
	struct clear_refs_private *cp = walk->private;
	struct vm_area_struct *v = walk->vma;

	(void)start;
	(void)end;
	if (cp->type == 4) {
		v->vm_flags &= ~VM_SOFTDIRTY;
		vma_set_page_prot(v);
		return 0;
	}
	return (cp->type == 2 && v->vm_file) || (cp->type == 3 && !v->vm_file);
}

/* A PMD mapping: its young bit and the folio's flag (referenced), or its
 * soft-dirty bit and write permission (4, under the PMD lock). */
static int clear_refs_pmd_entry(pteval_t *pmd, unsigned long a, unsigned long end,
				struct mm_walk *walk)
{
	struct clear_refs_private *cp = walk->private;
	spinlock_t *ptl;
	pteval_t e = pte_read(pmd);

	(void)end;
	if (!pmd_leaf(e))
		return 0;
	if (cp->type == 4) {
		if (!(ptl = pmd_trans_huge_lock(pmd, &e)))
			return 0;
		clear_soft_dirty_pmd(walk->vma, pmd, a);
		spin_unlock(ptl);
	} else if (!is_huge_zero_pmd(e) && pte_present(e)) {
		__atomic_fetch_and(pmd, ~_PAGE_ACCESSED, __ATOMIC_ACQ_REL);
		clear_page_flag(pfn_to_page(pte_pfn(e)), PG_referenced);
	}
	walk->action = ACTION_CONTINUE;
	return 0;
}

static int clear_refs_pte_entry(pteval_t *pte, unsigned long a, unsigned long end,
				struct mm_walk *walk)
{
	struct clear_refs_private *cp = walk->private;
	pteval_t e;

	(void)end;
	if (cp->type == 4) {
		clear_soft_dirty_pte(cp->tlb, pte, a);
		return 0;
	}
	e = pte_read(pte);
	if (!pte_present(e) || pte_special(e))
		return 0;
	__atomic_fetch_and(pte, ~_PAGE_ACCESSED, __ATOMIC_ACQ_REL);
	clear_page_flag(compound_head(pfn_to_page(pte_pfn(e))), PG_referenced);
	return 0;
}

/* mmap_lock for reading, or for writing (soft-dirty changes VMA flags) */
static const struct mm_walk_ops clear_refs_walk_ops = {
	.test_walk = clear_refs_test_walk,
	.pmd_entry = clear_refs_pmd_entry,
	.pte_entry = clear_refs_pte_entry,
	.walk_lock = PGWALK_RDLOCK,
};

/*
 * clear_refs 4: the soft-dirty state of every page goes; PTEs are
 * write-protected so that the next write faults and sets it again.  A no-op
 * while the mechanism is off (this host's kernel has no
 * CONFIG_MEM_SOFT_DIRTY).  mmap_lock for writing (VMA flags change).
 */
static int clear_soft_dirty(struct mm_struct *mm)
{
	struct mmu_gather tlb;
	struct clear_refs_private cp = { .type = 4, .tlb = &tlb };

	if (!READ_ONCE(knobs.soft_dirty))
		return 0;
	mmap_write_lock(mm);
	tlb_gather_mmu(&tlb, mm, false);
	walk_page_range(mm, 0, TASK_SIZE, &clear_refs_walk_ops, &cp);
	tlb_finish_mmu(&tlb);
	mmap_write_unlock(mm);
	return 0;
}

/*
 * /proc/PID/clear_refs: 1 clears the referenced state (young bits and
 * PG_referenced) of every page, 2 of anonymous pages, 3 of file pages;
 * 4 clears soft-dirty (a no-op while the soft-dirty mechanism is off, as on
 * a kernel without CONFIG_MEM_SOFT_DIRTY); 5 resets the peak RSS.  Young
 * bits are cleared without a TLB flush, as x86 does.
 */
int mmlab_clear_refs(struct mmlab_proc *p, int type)
{
	struct clear_refs_private cp = { .type = type };
	struct mm_struct *mm;

	if (!p)
		return -EINVAL;
	if (type < 1 || type > 5)
		return -EINVAL;
	if (type == 4)
		return clear_soft_dirty(p->mm);
	if (type == 5) {
		/* reset_mm_hiwater_rss: the peak is what there is now */
		WRITE_ONCE(p->mm->hiwater_rss, get_mm_rss(p->mm));
		return 0;
	}
	mm = p->mm;
	down_read(&mm->mmap_lock);
	walk_page_range(mm, 0, TASK_SIZE, &clear_refs_walk_ops, &cp);
	up_read(&mm->mmap_lock);
	return 0;
}
