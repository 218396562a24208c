/*
 * kpageflags.c - /proc/kpageflags: one 64-bit word of KPF_* bits per frame,
 * as the kernel's stable_page_flags() reports them.  The model sets the
 * bits it keeps state for: LOCKED, REFERENCED, UPTODATE, DIRTY, LRU,
 * ACTIVE, BUDDY, MMAP (the folio is mapped), ANON, SWAPCACHE, SWAPBACKED,
 * COMPOUND_HEAD (the head of a large folio), COMPOUND_TAIL, UNEVICTABLE,
 * NOPAGE (no such frame: past the last one, where the kernel's file ends), THP (any large folio, mTHPs too, and the huge
 * zero page), ZERO_PAGE, PGTABLE.
 *
 * Locks: none; the bits are read racily, as the kernel's are.
 */
#include "swap.h"

enum {
	KPF_LOCKED = 0, KPF_REFERENCED = 2, KPF_UPTODATE = 3, KPF_DIRTY = 4, KPF_LRU = 5,
	KPF_ACTIVE = 6, KPF_BUDDY = 10, KPF_MMAP = 11, KPF_ANON = 12, KPF_SWAPCACHE = 13,
	KPF_SWAPBACKED = 14, KPF_COMPOUND_HEAD = 15, KPF_COMPOUND_TAIL = 16,
	KPF_UNEVICTABLE = 18, KPF_NOPAGE = 20, KPF_THP = 22, KPF_ZERO_PAGE = 24,
	KPF_PGTABLE = 26,
};

static uint64_t stable_page_flags(unsigned long pfn)
{
	static const struct { int pg, kpf; } copy[] = {
		{ PG_locked, KPF_LOCKED }, { PG_referenced, KPF_REFERENCED },
		{ PG_uptodate, KPF_UPTODATE }, { PG_dirty, KPF_DIRTY }, { PG_lru, KPF_LRU },
		{ PG_active, KPF_ACTIVE }, { PG_swapcache, KPF_SWAPCACHE },
		{ PG_swapbacked, KPF_SWAPBACKED }, { PG_unevictable, KPF_UNEVICTABLE },
	};
	struct page *page, *folio;
	unsigned long k;
	uint64_t u = 0;

	if (pfn >= phys.nr_frames)
		return 1ULL << KPF_NOPAGE;
	page = pfn_to_page(pfn);
	if (test_page_flag(page, PG_buddy))
		return 1ULL << KPF_BUDDY;
	if (PageTable(page))
		return 1ULL << KPF_PGTABLE;
	folio = compound_head(page);
	k = READ_ONCE(folio->flags);
	if (folio_mapcount(folio) > 0)
		u |= 1ULL << KPF_MMAP;
	if (k & (1UL << PG_anon))
		u |= 1ULL << KPF_ANON;
	if (page == folio)
		u |= (uint64_t)!!(k & (1UL << PG_head)) << KPF_COMPOUND_HEAD;
	else
		u |= 1ULL << KPF_COMPOUND_TAIL;
	if (folio == READ_ONCE(huge_zero_folio))
		u |= (1ULL << KPF_THP) | (1ULL << KPF_ZERO_PAGE);
	else if (k & (1UL << PG_head))
		u |= 1ULL << KPF_THP;	/* any order: mTHPs too (no hugetlb here) */
	else if (pfn == READ_ONCE(zero_pfn))
		u |= 1ULL << KPF_ZERO_PAGE;
	for (unsigned int i = 0; i < ARRAY_SIZE(copy); i++)
		if (k & (1UL << copy[i].pg))
			u |= 1ULL << copy[i].kpf;
	return u;
}

int mmlab_kpageflags(uint64_t pfn, uint64_t n, uint64_t *out)
{
	/* the file offset is pfn * 8: a negative one is EINVAL */
	if ((!out && n) || pfn >= (1ULL << 60) || n >= (1ULL << 60) - pfn)
		return -EINVAL;
	for (uint64_t i = 0; i < n; i++)
		out[i] = stable_page_flags((unsigned long)(pfn + i));
	return 0;
}
