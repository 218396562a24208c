/*
 * split_huge_page.c - splitting a large folio: into small pages, or
 * (uniformly) into folios of a lower order, as split_huge_page_to_order
 * does; and the debugfs file that asks for it, split_huge_pages.
 *
 * A split runs with the folio locked and a reference held: every mapping
 * is replaced by migration entries (a PMD mapping is split into PTEs
 * first), the refcount is frozen at the expected value (other references:
 * back off, the entries go back to PTEs of the whole folio), the compound
 * metadata is rebuilt for the new folios, and the entries are turned back
 * into PTEs of the new folios; a split to small pages maps those holding
 * only zeroes by the shared zero page instead (6.12+).  Anonymous folios only: a page-cache folio
 * is refused (-EBUSY), so is the huge zero page and a folio in the swap
 * cache.  An anonymous folio cannot become order 1 (-EINVAL), as in the
 * kernel.
 *
 * /sys/kernel/debug/split_huge_pages (write-only) takes
 * "pid,0xSTART,0xEND[,new_order]": every large folio mapped in
 * [START, END) of that process is split to new_order (default 0), page by
 * page, under the process's mmap_lock for reading; a folio that is locked
 * or cannot be split is left alone and the write still succeeds, as the
 * kernel's does; "1" alone splits every large folio of the machine.  An
 * unknown pid is ESRCH, anything unparsable EINVAL.
 * The model's processes are the scenario's: the caller must not end the
 * process while the write runs (as the /proc/PID readers of task_mmu.c).
 *
 * Locks: the LRU lock around the freeze; the split queue lock inside
 * deferred_split_remove; page-table locks in the rmap walks.
 */
#include <stdio.h>
#include <stdlib.h>
#include "swap.h"

struct split_arg {
	struct page *folio;
	unsigned long nr;
	bool remap;		/* migration entries back to PTEs */
	bool zero_remap;	/* zero-filled small pages: the shared zero page */
};

/* Only zeroes in the page?  (Unmapped and locked: nobody writes it.) */
static bool page_is_zero_filled(struct page *p)
{
	const uint64_t *w = page_address(p);

	for (unsigned long i = 0; i < PAGE_SIZE / sizeof(*w); i++)
		if (__atomic_load_n(&w[i], __ATOMIC_RELAXED))
			return false;
	return true;
}

/*
 * try_to_map_unused_to_zeropage: a page a split left small, anonymous and
 * holding only zeroes is mapped by the shared zero page instead (RssAnon
 * drops; the page is freed with the split's last reference), unless the
 * folio or the VMA is mlocked or the mm may not use the zero page.  The
 * entry's soft-dirty and uffd-wp bits carry over.  PTE lock held.
 */
static bool split_map_zero_page(struct split_arg *a, struct vm_area_struct *v, pteval_t *pte,
				pteval_t e, struct page *p)
{
	pteval_t n;

	if (!a->zero_remap || folio_test_large(p) || test_page_flag(p, PG_mlocked) ||
	    (v->vm_flags & VM_LOCKED) || mm_forbids_zeropage(v->vm_mm) || !page_is_zero_filled(p))
		return false;
	n = pfn_pte(zero_pfn, v->vm_page_prot & ~_PAGE_RW) | _PAGE_SPECIAL;
	if (e & _PAGE_SWP_SOFT_DIRTY)
		n |= _PAGE_SOFT_DIRTY;
	if (e & _PAGE_SWP_UFFD_WP)
		n |= _PAGE_UFFD_WP;
	ClearPageAnonExclusive(p);
	pte_write(pte, n);
	add_mm_counter(v->vm_mm, MM_ANONPAGES, -1);
	return true;
}

/* Replace this VMA's PTEs of the folio by migration entries (or back). */
static bool split_unmap_one(struct page *folio, struct vm_area_struct *v,
			    unsigned long addr, void *argp)
{
	struct split_arg *a = argp;
	struct mm_struct *mm = v->vm_mm;
	unsigned long start = addr, end = addr + (a->nr << PAGE_SHIFT), pfn0 = page_to_pfn(folio);
	pteval_t *pmd, *pte0;
	spinlock_t *ptl;
	bool flush = false, pte_mapped = true;

	if (start < v->vm_start)
		start = v->vm_start;
	if (end > v->vm_end)
		end = v->vm_end;
	if (start >= end)
		return true;
	rcu_read_lock();
	pmd = mm_find_pmd(mm, start);
	/* a PMD mapping goes at once (frozen); PTEs one by one, so that a
	 * PTE-mapped folio is seen partly mapped on the way (deferred split
	 * counted, as try_to_migrate_one's removals make the kernel's) */
	if (pmd && !a->remap && pmd_leaf(pte_read(pmd))) {
		__split_huge_pmd(v, pmd, start);
		pte_mapped = false;
	}
	pte0 = pmd ? pte_offset_map_lock(mm, pmd, start, &ptl) : NULL;
	rcu_read_unlock();
	if (!pte0)
		return true;
	if (!a->remap)
		inc_tlb_flush_pending(mm);
	for (unsigned long va = start; va < end; va += PAGE_SIZE) {
		pteval_t *pte = pte0 + ((va - start) >> PAGE_SHIFT), e = pte_read(pte);
		unsigned long i;

		if (!a->remap) {
			if (!pte_present(e) || pte_special(e) || pte_pfn(e) < pfn0 ||
			    pte_pfn(e) >= pfn0 + a->nr)
				continue;
			i = pte_pfn(e) - pfn0;
			e = pte_xchg(pte, 0);
			flush |= pte_hw_present(e);
			if (pte_dirty(e))
				SetPageDirty(folio);
			{
				bool excl = PageAnonExclusive(folio + i);
				swp_entry_t se;

				/* folio_try_share_anon_rmap_pte: the entry
				 * carries exclusivity now; fork may make it a
				 * plain readable one before the remap */
				if (excl)
					ClearPageAnonExclusive(folio + i);
				se = pte_write_bit(e) ?
					swp_entry(SWP_MIGRATION_WRITE, pfn0 + i) :
					swp_entry(excl ? SWP_MIGRATION_READ_EXCLUSIVE :
						  SWP_MIGRATION_READ, pfn0 + i);
				pteval_t s = swp_entry_to_pte(se);

				if (e & _PAGE_SOFT_DIRTY)
					s |= _PAGE_SWP_SOFT_DIRTY;
				if (e & _PAGE_UFFD_WP)
					s |= _PAGE_SWP_UFFD_WP;
				pte_write(pte, s);
			}
			__folio_remove_rmap_ptes(folio, folio + i, 1, v, pte_mapped);
			/* the entry's reference (the caller holds one more) */
			atomic_dec(&folio->_refcount);
		} else {
			swp_entry_t se;
			pteval_t n;
			struct page *p;

			if (!is_swap_pte(e) || !is_migration_entry(se = pte_to_swp_entry(e)) ||
			    swp_offset(se) < pfn0 || swp_offset(se) >= pfn0 + a->nr)
				continue;
			p = pfn_to_page(swp_offset(se));
			if (split_map_zero_page(a, v, pte, e, p))
				continue;
			n = pfn_pte(swp_offset(se), v->vm_page_prot);
			if (swp_type(se) == SWP_MIGRATION_WRITE)
				n = pte_mkwrite_prot(n) & ~_PAGE_DIRTY;
			if (PageDirty(compound_head(p)) && swp_type(se) == SWP_MIGRATION_WRITE)
				n |= _PAGE_DIRTY;
			if (e & _PAGE_SWP_SOFT_DIRTY)
				n |= _PAGE_SOFT_DIRTY;
			if (e & _PAGE_SWP_UFFD_WP)
				n = (n | _PAGE_UFFD_WP) & ~_PAGE_RW;
			n |= _PAGE_ACCESSED;	/* x86 keeps young across migration */
			/* exclusive again only if the entry still says so */
			if (PageAnon(compound_head(p)) && swp_type(se) != SWP_MIGRATION_READ)
				SetPageAnonExclusive(p);
			get_page(p);
			folio_dup_rmap(p, v);
			pte_write(pte, n);
		}
	}
	if (flush)
		flush_tlb_mm_range(mm, start, end, PAGE_SHIFT, false);
	if (!a->remap)
		dec_tlb_flush_pending(mm);
	pte_unmap_unlock(pte0, ptl);
	return true;
}

/* Take the compound metadata apart: @folio becomes nr small folios, each
 * with the head's flags; the caller's reference stays on the head, every
 * tail gets one for the caller to drop after remapping. */
/*
 * Rebuild the metadata: @folio (nr pages) becomes nr >> new_order folios of
 * @new_order, each head with the old head's flags.  The caller's reference
 * stays on the first; every other new folio gets one for the caller to drop
 * after remapping.  Called with the refcount frozen.
 */
static void __split_folio_to_order(struct page *folio, unsigned long nr,
				   unsigned int new_order)
{
	unsigned long step = 1UL << new_order;
	unsigned long keep = READ_ONCE(folio->flags) &
		((1UL << PG_anon) | (1UL << PG_swapbacked) | (1UL << PG_dirty) |
		 (1UL << PG_uptodate) | (1UL << PG_active) | (1UL << PG_referenced) |
		 (1UL << PG_workingset) | (1UL << PG_unevictable) | (1UL << PG_mlocked));

	for (unsigned long i = 1; i < nr; i++) {
		struct page *p = folio + i;
		bool head = !(i & (step - 1));

		/* tail marks and offsets go; a new head takes the old one's flags */
		__atomic_store_n(&p->flags, (READ_ONCE(p->flags) & ((7UL << NODE_SHIFT) |
					     (1UL << PG_anon_exclusive))) | (head ? keep : 0),
				 __ATOMIC_RELEASE);
		INIT_LIST_HEAD(&p->lru);
		WRITE_ONCE(p->private, 0);	/* folio_order() readers without a reference */
		atomic_set(&p->_refcount, head ? 1 : 0);
		atomic_set(&p->_mapcount, -1);
		if (head && PageAnon(folio) && folio->mapping)
			anon_vma_get(folio->mapping);
	}
	INIT_LIST_HEAD(&folio[1].lru);
	clear_page_flag(folio, PG_partially_mapped);
	if (!new_order) {
		clear_page_flag(folio, PG_head);
		return;
	}
	for (unsigned long i = 0; i < nr; i += step)
		prep_compound_page(folio + i, new_order);
}

/* Put the new folios where the old one was: on the LRU, or (@list, the
 * caller isolated the folio) isolated on @list with a reference each.
 * LRU lock held. */
static void split_folio_lru(struct lruvec *l, struct page *folio, unsigned long nr,
			    unsigned long step, bool on_lru, struct list_head *list)
{
	for (unsigned long i = on_lru ? 0 : step; i < nr; i += step) {
		if (i && list) {
			atomic_inc(&folio[i]._refcount);	/* isolated */
			list_add_tail(&folio[i].lru, list);
			continue;
		}
		set_page_flag(folio + i, PG_lru);
		lruvec_add_folio_tail(l, folio + i);
		/* an unevictable new folio starts uncounted (lru_add_split_folio) */
		if (i && test_page_flag(folio + i, PG_unevictable))
			folio[i].mlock_count = 0;
	}
}

/* Freeze @folio's refcount at @expected if nothing maps it: true with the
 * LRU lock (*@l) held and *@on_lru set; false (unlocked) otherwise.  A
 * folio with no mapping can be referenced anew only through the LRU,
 * whose lock is held for that reason. */
static bool split_freeze(struct page *folio, int expected, struct lruvec **l, bool *on_lru)
{
	*l = folio_lruvec(folio);
	spin_lock(&(*l)->lru_lock);
	*on_lru = test_page_flag(folio, PG_lru);
	if (!folio_mapcount(folio) && __atomic_compare_exchange_n(&folio->_refcount, &expected, 0,
							false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return true;
	spin_unlock(&(*l)->lru_lock);
	return false;
}

/*
 * A shmem THP (locked, a reference held by the caller) into small pages:
 * every mapping goes first (they refault page by page), then with the
 * refcount frozen at the cache's references and the caller's, each page
 * becomes a folio of its own in its own slot.  -EAGAIN when anyone else
 * holds a reference (a pin): it stays whole.  With @list (the caller
 * isolated it) the new folios join @list isolated, each with a reference.
 */
static int split_shmem_folio(struct page *folio, struct list_head *list)
{
	struct address_space *as = folio->mapping;
	unsigned long nr = folio_nr_pages(folio);
	int expected = 1 + (int)nr;
	struct lruvec *l;
	bool on_lru;

	unmap_mapping_folio(folio);
	spin_lock(&as->lock);
	if (!split_freeze(folio, expected, &l, &on_lru)) {
		spin_unlock(&as->lock);
		count_vm_event(THP_SPLIT_PAGE_FAILED);
		count_mthp_stat(HPAGE_PMD_ORDER, MTHP_STAT_SPLIT_FAILED);
		return -EAGAIN;
	}
	if (on_lru)
		lruvec_del_folio(l, folio);
	__split_folio_to_order(folio, nr, 0);	/* each new folio: the cache's reference */
	split_folio_lru(l, folio, nr, 1, on_lru, list);
	atomic_set(&folio->_refcount, 2);	/* the cache's and the caller's */
	spin_unlock(&l->lru_lock);
	for (unsigned long i = 1; i < nr; i++)	/* existing slots: cannot fail */
		xa_store(&as->i_pages, folio->index + i, folio + i);
	spin_unlock(&as->lock);
	count_vm_events(NR_SHMEM_THPS, -1);
	count_vm_event(THP_SPLIT_PAGE);
	count_mthp_stat(HPAGE_PMD_ORDER, MTHP_STAT_SPLIT);
	return 0;
}

/*
 * split_folio_to_list_to_order: @folio (locked, a reference held by the
 * caller, not in the swap cache) becomes folios of @new_order (0: small
 * pages).  With @list (the caller isolated the folio), the other new folios
 * join @list isolated, each with a reference; otherwise they go to the LRU
 * as the folio was.  0, or -EAGAIN when someone else holds a reference (the
 * folio is left as it was), -EBUSY for the huge zero page, a page-cache or
 * swap-cache folio, -EINVAL for an order the folio cannot be split to.
 */
int split_folio_to_list_to_order(struct page *folio, struct list_head *list,
				 unsigned int new_order)
{
	unsigned long nr = folio_nr_pages(folio), step = 1UL << new_order;
	struct split_arg a = { .folio = folio, .nr = nr };
	struct rmap_walk_control rwc = { .arg = &a, .rmap_one = split_unmap_one };
	unsigned int order = folio_order(folio);
	struct lruvec *l;
	bool on_lru;
	int expected = 1;

	if (!folio_test_large(folio))
		return 0;
	if (!PageAnon(folio) && folio->mapping && test_page_flag(folio, PG_swapbacked) &&
	    folio != READ_ONCE(huge_zero_folio))
		return new_order ? -EINVAL : split_shmem_folio(folio, list);
	if (folio == READ_ONCE(huge_zero_folio) || !PageAnon(folio) || PageSwapCache(folio))
		return -EBUSY;
	if (new_order >= order || new_order == 1)
		return -EINVAL;
	rmap_walk_folio(folio, &rwc);
	if (!split_freeze(folio, expected, &l, &on_lru)) {
		a.remap = true;
		rmap_walk_folio(folio, &rwc);
		if (order == HPAGE_PMD_ORDER)	/* the vmstat event is PMD-sized only */
			count_vm_event(THP_SPLIT_PAGE_FAILED);
		count_mthp_stat(order, MTHP_STAT_SPLIT_FAILED);
		return -EAGAIN;
	}
	deferred_split_remove(folio);
	mod_mthp_stat(order, MTHP_STAT_NR_ANON, -1);
	if (on_lru)
		lruvec_del_folio(l, folio);	/* accounted as nr pages */
	__split_folio_to_order(folio, nr, new_order);
	mod_mthp_stat(new_order, MTHP_STAT_NR_ANON, (long)(nr >> new_order));
	split_folio_lru(l, folio, nr, step, on_lru, list);
	atomic_set(&folio->_refcount, 1);
	spin_unlock(&l->lru_lock);
	a.remap = true;
	a.nr = step;
	/* the kernel checks the bytes; the no-data mode has none to check */
	a.zero_remap = !new_order && !phys.no_data;
	for (unsigned long i = 0; i < nr; i += step) {
		a.folio = folio + i;
		rmap_walk_folio(folio + i, &rwc);
	}
	if (order == HPAGE_PMD_ORDER)
		count_vm_event(THP_SPLIT_PAGE);
	count_mthp_stat(order, MTHP_STAT_SPLIT);
	for (unsigned long i = step; i < nr; i += step)
		put_page(folio + i);	/* unmapped ones are freed now */
	return 0;
}

int split_folio_to_list(struct page *folio, struct list_head *list)
{
	return split_folio_to_list_to_order(folio, list, 0);
}

int split_folio(struct page *folio)
{
	return split_folio_to_list_to_order(folio, NULL, 0);
}

int split_folio_to_order(struct page *folio, unsigned int new_order)
{
	return split_folio_to_list_to_order(folio, NULL, new_order);
}

/* ---- /sys/kernel/debug/split_huge_pages ---- */

/* The large folio mapped at @addr with a reference taken, or NULL (the
 * kernel's folio_walk_start; mmap_lock held). */
static struct page *split_folio_at(struct vm_area_struct *v, unsigned long addr)
{
	struct page *folio = NULL;
	pteval_t *pmd, *pte, e;
	spinlock_t *ptl;

	rcu_read_lock();
	pmd = mm_find_pmd(v->vm_mm, addr);
	if (pmd && pmd_leaf(pte_read(pmd))) {
		ptl = pmd_lockptr(pmd);
		spin_lock(ptl);
		e = pte_read(pmd);
		if (pmd_leaf(e)) {
			folio = compound_head(pfn_to_page(pte_pfn(e)));
			get_page(folio);
		}
		spin_unlock(ptl);
		if (folio || pmd_leaf(pte_read(pmd))) {
			rcu_read_unlock();
			return folio;
		}
	}
	pte = pmd ? pte_offset_map_lock(v->vm_mm, pmd, addr, &ptl) : NULL;
	rcu_read_unlock();
	if (!pte)
		return NULL;
	e = pte_read(pte);
	if (pte_present(e) && vm_normal_page(e)) {
		folio = compound_head(vm_normal_page(e));
		get_page(folio);
	}
	pte_unmap_unlock(pte, ptl);
	return folio;
}

static int split_huge_pages_pid(int pid, unsigned long start, unsigned long end,
				unsigned int new_order)
{
	struct mm_struct *mm = mm_of_pid(pid);
	unsigned long split = 0, total = 0;

	if (!mm)
		return -ESRCH;
	start &= PAGE_MASK;
	end &= PAGE_MASK;
	down_read(&mm->mmap_lock);
	/* page by page: a PTE table may map many distinct large folios */
	for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
		struct vm_area_struct *v = vma_lookup(mm, addr);
		struct page *folio;

		if (!v)
			break;
		folio = split_folio_at(v, addr);
		if (!folio)
			continue;
		if (folio_test_large(folio) && new_order < folio_order(folio)) {
			total++;
			/* can_split_folio: no reference but the mappings' (and
			 * ours): a pinned folio is skipped, no split attempted */
			if (folio_mapcount(folio) == page_ref_count(folio) - 1 &&
			    folio_trylock(folio)) {
				if (!split_folio_to_order(folio, new_order))
					split++;
				folio_unlock(folio);
			}
		}
		put_page(folio);
	}
	up_read(&mm->mmap_lock);
	(void)total;	/* the kernel's pr_debug: "split of total" */
	(void)split;
	return 0;
}

/* "1": every large folio on an LRU list, machine-wide, to small pages
 * (split_huge_pages_all: each folio locked, waiting for its lock). */
static void split_huge_pages_all(void)
{
	for (unsigned long pfn = 0; pfn < phys.nr_frames; pfn++) {
		struct page *folio = pfn_to_page(pfn);

		/* heads of LRU folios only: a reference is taken of nothing
		 * else (a page-table frame is freed without one) */
		if (!folio_test_large(folio) || !test_page_flag(folio, PG_lru) ||
		    !get_page_unless_zero(folio))
			continue;
		if (folio_test_large(folio) && test_page_flag(folio, PG_lru)) {
			unsigned long nr = folio_nr_pages(folio);

			folio_lock(folio);
			split_folio(folio);
			folio_unlock(folio);
			pfn = page_to_pfn(folio) + nr - 1;
		}
		put_page(folio);
	}
}

/*
 * The write: "pid,0xSTART,0xEND[,new_order[,in_folio_offset]]" as the
 * kernel's sscanf reads it (what follows the fields it matched is ignored).
 * A lone "1" splits every THP of the machine.  Not modelled: the
 * file-path form (page-cache folios) and in_folio_offset (the non-uniform
 * split): EOPNOTSUPP.  Returns the bytes taken or -errno.
 */
long split_huge_pages_write(const char *buf)
{
	unsigned long start = 0, end = 0;
	long in_folio_offset = -1;
	int pid = 0, order = 0, n, ret;

	if (!buf)
		return -EFAULT;
	if (buf[0] == '/')
		return -EOPNOTSUPP;
	n = sscanf(buf, "%d,0x%lx,0x%lx,%d,%ld", &pid, &start, &end, &order, &in_folio_offset);
	if (n == 1 && pid == 1) {
		split_huge_pages_all();
		return (long)strlen(buf);
	}
	if (n != 3 && n != 4 && n != 5)
		return -EINVAL;
	if (n == 5 && in_folio_offset >= 0)
		return -EOPNOTSUPP;
	ret = split_huge_pages_pid(pid, start, end, (unsigned int)order);
	return ret ? ret : (long)strlen(buf);
}
