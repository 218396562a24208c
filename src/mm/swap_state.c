/*
 * swap_state.c - the swap cache: the folio of a swap slot while it is being
 * written out or read in, or after a refault that kept the slot.  A folio in
 * the swap cache has PG_swapcache and its entry in page->private, and the
 * cache holds one reference on it.  Reading a slot in claims SWAP_HAS_CACHE
 * first (swapcache_prepare) so that one reader allocates and reads while
 * others wait for it.
 */
#include <sched.h>
#include "swap.h"

int add_to_swap_cache(struct page *folio, swp_entry_t e)
{
	struct swap_info_struct *si = swp_swap_info(e);
	unsigned long off = swp_offset(e);

	spin_lock(&si->lock);
	VM_BUG_ON(si->cache[off]);
	get_page(folio);
	WRITE_ONCE(folio->private, e.val);	/* folio_order() readers of a stale head */
	set_page_flag(folio, PG_swapcache);
	__atomic_store_n(&si->cache[off], folio, __ATOMIC_RELEASE);
	spin_unlock(&si->lock);
	count_vm_event(NR_SWAPCACHE);
	return 0;
}

/* The folio is locked; the caller's reference stays. */
void delete_from_swap_cache(struct page *folio)
{
	swp_entry_t e = page_swap_entry(folio);
	struct swap_info_struct *si = swp_swap_info(e);

	luf_swap_out(folio, e);		/* the slot inherits its stale copies */
	spin_lock(&si->lock);
	__atomic_store_n(&si->cache[swp_offset(e)], NULL, __ATOMIC_RELEASE);
	clear_page_flag(folio, PG_swapcache);
	WRITE_ONCE(folio->private, 0);
	spin_unlock(&si->lock);
	count_vm_events(NR_SWAPCACHE, -1);
	swapcache_clear(e);
	put_page(folio);
}

struct page *swap_cache_get_folio(swp_entry_t e)
{
	struct swap_info_struct *si = swp_swap_info(e);
	struct page *folio;

	if (!si || swp_offset(e) >= si->max)
		return NULL;
	spin_lock(&si->lock);
	folio = si->cache[swp_offset(e)];
	if (folio)
		get_page(folio);
	spin_unlock(&si->lock);
	return folio;
}

/*
 * The folio for a swap entry, read in if needed (a reference is returned;
 * *io_done tells whether this call read it), allocated by the memory
 * policy of @v at @addr (NULL: the local node, as shmem's).  NULL with
 * *err: -ENOMEM, -ENOENT (the slot was freed: the PTE changed under us),
 * -EIO.
 */
struct page *read_swap_cache_async(swp_entry_t e, struct vm_area_struct *v, unsigned long addr,
				   bool *io_done, int *err)
{
	unsigned int spins = 0;

	*io_done = false;
	for (;;) {
		struct page *folio = swap_cache_get_folio(e);
		int ret;

		if (folio) {
			/* someone else may still be reading it: wait for them */
			while (!test_page_flag(folio, PG_uptodate) && folio_test_locked(folio))
				lib_wait(&spins);
			return folio;
		}
		ret = swapcache_prepare(e);
		if (ret == -EEXIST) {
			lib_wait(&spins);	/* being added or removed: look again */
			continue;
		}
		if (ret) {
			*err = ret;
			return NULL;
		}
		folio = vma_alloc_folio(v, addr, 0, 0);
		if (!folio) {
			swapcache_clear(e);
			*err = -ENOMEM;
			return NULL;
		}
		set_page_flag(folio, PG_swapbacked);
		luf_swap_in(folio, e);
		folio_lock(folio);
		/* the slot keeps its HAS_CACHE bit: the cache owns it now */
		{
			struct swap_info_struct *si = swp_swap_info(e);

			spin_lock(&si->lock);
			get_page(folio);
			WRITE_ONCE(folio->private, e.val);
			set_page_flag(folio, PG_swapcache);
			__atomic_store_n(&si->cache[swp_offset(e)], folio, __ATOMIC_RELEASE);
			spin_unlock(&si->lock);
			count_vm_event(NR_SWAPCACHE);
		}
		ret = swap_read_folio(folio);
		if (!ret)
			set_page_flag(folio, PG_uptodate);
		folio_unlock(folio);
		*io_done = true;
		if (ret) {
			*err = ret;
			if (folio_trylock(folio)) {
				delete_from_swap_cache(folio);
				folio_unlock(folio);
			}
			put_page(folio);
			return NULL;
		}
		folio_add_lru(folio);
		return folio;
	}
}

/* Give a locked anonymous folio a swap slot and put it in the swap cache. */
bool add_to_swap(struct page *folio)
{
	swp_entry_t e = folio_alloc_swap(folio);

	if (!e.val)
		return false;
	add_to_swap_cache(folio, e);
	/* it must be written before it can be freed */
	SetPageDirty(folio);
	return true;
}

/* The lock bit is the folio's: a page of a large folio locks its head. */
bool folio_trylock(struct page *p)
{
	p = compound_head(p);
	return !(__atomic_fetch_or(&p->flags, 1UL << PG_locked, __ATOMIC_ACQUIRE) &
		 (1UL << PG_locked));
}

void folio_lock(struct page *p)
{
	unsigned int spins = 0;

	while (!folio_trylock(p))
		lib_wait(&spins);
}

void folio_unlock(struct page *p)
{
	p = compound_head(p);
	__atomic_fetch_and(&p->flags, ~(1UL << PG_locked), __ATOMIC_RELEASE);
}
