/*
 * migrate_huge.c - moving a PMD-mapped anonymous THP to another node
 * whole, as 6.18 does for move_pages(2), mbind(2) with MPOL_MF_MOVE and
 * demotion: a folio of the same order on the target node, the 2 MiB
 * copied, the PMD pointed at the new folio.  vmstat: thp_migration_success
 * +1 and pgmigrate_success += 512 per THP; when the target has no free
 * 2 MiB the THP is split and its pages move one by one (thp_migration_fail
 * and thp_migration_split +1, as the kernel's try_split_folio; migrate.c
 * then moves the small pages); a THP that still cannot move (pinned)
 * counts thp_migration_fail and 512 pages of pgmigrate_fail.
 *
 * What is built is the narrow form of the kernel's PMD migration entry:
 * only a THP mapped by exactly one PMD (entire mapcount 1, no PTE maps
 * it) moves whole (mlocked again on the target in a VM_LOCKED VMA); any
 * other large folio is split first, as before (isolate_for_move,
 * queue_folio, shrink_large_folio).
 * The move runs with the folio locked and isolated, and the whole
 * unmap-copy-remap under the PMD lock: the PMD is invalidated
 * (pmdp_invalidate: not present, still a PMD mapping) and flushed, the
 * refcount is checked against the expected references (the isolation's
 * and the PMD's; a GUP pin or any other reference fails the move with
 * -EAGAIN and the PMD is restored; a GUP-fast that read the old PMD
 * re-checks it after its grab and lets go), the data is copied and the new
 * PMD installed.  A fault that meets the invalid PMD meanwhile waits on
 * the PMD lock, finds the new PMD and is retried on the moved folio (the
 * kernel's pmd_migration_entry_wait).  Zap, mprotect, fork's
 * copy_huge_pmd, GUP, smaps, pagemap and the PMD split see a PMD mapping,
 * take the PMD lock and see the old or the new PMD, never the window.
 *
 * What an observer could see differently from 6.18:
 * - a THP mapped by PTEs (after a partial mprotect, say), mapped by two
 *   PMDs (shared with a fork child), and every mTHP,
 *   are split and moved as small pages (6.18 moves them whole with PTE or
 *   PMD migration entries): AnonHugePages drops, thp_migration_success
 *   does not count;
 * - NUMA-hinting promotion moves small folios only (the model has no
 *   PMD NUMA-hinting fault), so a THP is never promoted.
 *
 * Locks: folio lock -> anon_vma root rwsem (the rmap walk) -> PMD lock.
 */
#include "swap.h"

struct huge_move {
	struct page *dst;
	struct vm_area_struct *vma;	/* where it was moved: mlocked there? */
	int ret;		/* -EAGAIN until the PMD was found and moved */
};

/* Under the PMD lock: the PMD still maps @src whole, nothing else maps or
 * holds it (@extra: references beside the PMD's). */
static bool huge_pmd_movable(struct page *src, pteval_t v, int extra)
{
	return pmd_leaf(v) && pte_present(v) && pte_pfn(v) == page_to_pfn(src) &&
	       folio_entire_mapcount(src) == 1 && folio_mapcount(src) == 1 &&
	       page_ref_count(src) == 1 + extra;
}

/* The new folio takes the old one's identity: anon_vma, index, flags,
 * AnonExclusive, and the data (with LUF's record of stale copies). */
static void huge_folio_copy(struct page *dst, struct page *src)
{
	static const int copy_flags[] = { PG_anon, PG_swapbacked, PG_dirty, PG_referenced,
					  PG_active, PG_uptodate, PG_workingset };

	for (unsigned int i = 0; i < ARRAY_SIZE(copy_flags); i++)
		if (test_page_flag(src, copy_flags[i]))
			set_page_flag(dst, copy_flags[i]);
	anon_vma_get(src->mapping);	/* dst's own; src keeps its until freed */
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		dst[i].mapping = src[i].mapping;
		dst[i].index = src[i].index;
		if (PageAnonExclusive(src + i))
			SetPageAnonExclusive(dst + i);
		copy_highpage(dst + i, src + i);
		luf_copy_page(dst + i, src + i);
	}
	mod_mthp_stat(HPAGE_PMD_ORDER, MTHP_STAT_NR_ANON, 1);
}

/* rmap_one: the PMD of @v mapping @src; if it still maps it alone, the
 * move happens here under its lock. */
static bool move_huge_pmd_one(struct page *src, struct vm_area_struct *v,
			      unsigned long addr, void *arg)
{
	struct huge_move *m = arg;
	struct mm_struct *mm = v->vm_mm;
	pteval_t *pmd, old;
	spinlock_t *ptl;

	if ((addr & ~PMD_MASK) || addr < v->vm_start || addr + PMD_SIZE > v->vm_end ||
	    !(pmd = mm_find_pmd(mm, addr)))
		return true;
	ptl = pmd_lockptr(pmd);
	spin_lock(ptl);
	if (!huge_pmd_movable(src, pte_read(pmd), 1)) {
		spin_unlock(ptl);
		return true;
	}
	/* unmap: no CPU may keep using the old frames' translation; the
	 * invalid PMD stands for the kernel's PMD migration entry */
	old = pmdp_invalidate(v, addr, pmd);
	/* a GUP that took its reference before the PMD went is seen now */
	if (page_ref_count(src) != 2) {
		pte_write(pmd, old);
		spin_unlock(ptl);
		m->ret = -EAGAIN;
		return false;
	}
	huge_folio_copy(m->dst, src);
	folio_remove_rmap_pmd(src, v);
	folio_add_anon_rmap_pmd(m->dst, v);
	if (pte_write_bit(old))
		for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
			luf_flush_write(v, m->dst + i);
	pte_write(pmd, pfn_pte(page_to_pfn(m->dst), old & PTE_FLAGS_MASK));
	spin_unlock(ptl);
	put_page(src);		/* the PMD's reference; the dst's is the alloc's */
	m->vma = v;
	m->ret = 0;
	return false;
}

/* May this large folio move whole (the caller's lookup reference held)? */
bool folio_migrate_whole(struct page *folio)
{
	return folio_order(folio) == HPAGE_PMD_ORDER && PageAnon(folio) &&
	       !PageSwapCache(folio) && folio_entire_mapcount(folio) == 1 &&
	       folio_mapcount(folio) == 1;
}

/*
 * Move the locked, isolated THP @src to node @nid whole.  0: moved (the
 * caller drops the isolation reference, which frees @src); -ENOMEM: no
 * free 2 MiB on @nid (the caller splits); -EAGAIN: it is mapped otherwise
 * now, or holds other references (a pin): left as it was.
 */
int migrate_huge_pmd_folio(struct page *src, int nid)
{
	struct huge_move m = { .ret = -EAGAIN };
	struct rmap_walk_control rwc = { .arg = &m, .rmap_one = move_huge_pmd_one };

	if (!folio_migrate_whole(src))
		return -EAGAIN;
	m.dst = alloc_pages_node(nid, HPAGE_PMD_ORDER, GFP_NORECLAIM | GFP_THISNODE);
	if (!m.dst)
		return -ENOMEM;
	prep_compound_page(m.dst, HPAGE_PMD_ORDER);
	if (!folio_trylock(m.dst))
		VM_BUG_ON(1);	/* just allocated: ours alone */
	rmap_walk_folio(src, &rwc);
	folio_unlock(m.dst);
	if (m.ret) {
		put_page(m.dst);
		return m.ret;
	}
	folio_add_lru_vma(m.dst, m.vma);	/* mlocked again in a VM_LOCKED VMA */
	count_vm_event(THP_MIGRATION_SUCCESS);
	count_vm_events(PGMIGRATE_SUCCESS, HPAGE_PMD_NR);
	return 0;
}
