/*
 * shmem.c - shared memory files: memfd and the file behind every shared
 * anonymous mapping.  Each file has a page cache with one slot per page of
 * its fixed size, holding a folio, a swap entry (the page was swapped out:
 * the slot holds the entry, as shmem's xarray holds a value entry), or
 * nothing; and the list of VMAs that map it (i_mmap, the file rmap).
 *
 * Locks: mapping->lock guards the slots, nrpages and swapped; i_mmap_rwsem
 * the VMA list.  The cache holds one reference on each folio it holds, a
 * mapping another; a swap entry in a slot holds one swap_map reference.
 * Reads allocate, as shmem does (no zero page for shmem).  Fault-around
 * reads slots without mapping->lock (next_uptodate_folio, as the kernel's
 * RCU walk): a folio it maps is trylocked under the PTE lock, referenced
 * only while live, and checked to still be the slot's.
 */
#include <stdio.h>
#include <stdlib.h>
#include "swap.h"

/* A slot's swap entry is stored as an odd value (the kernel's xa_value). */
static inline bool slot_is_swap(const void *s) { return (uintptr_t)s & 1; }
static inline void *swap_to_slot(swp_entry_t e) { return (void *)((e.val << 1) | 1); }
static inline swp_entry_t slot_to_swap(const void *s) { return (swp_entry_t){ (uintptr_t)s >> 1 }; }
/* A slot whose swapped page could not be read back: accesses get -EIO. */
#define POISONED_SLOT ((struct page *)swap_to_slot(swp_entry(SWP_PTE_MARKER, PTE_MARKER_POISONED)))

struct file *shmem_file_setup(const char *name, unsigned long size, bool anon_shared)
{
	struct file *f = calloc(1, sizeof(*f));
	struct address_space *as = calloc(1, sizeof(*as));
	unsigned long pages = ALIGN_UP(size, PAGE_SIZE) >> PAGE_SHIFT;

	if (!f || !as)
		goto fail;
	as->pages = calloc(pages ? pages : 1, sizeof(*as->pages));
	if (!as->pages)
		goto fail;
	spin_lock_init(&as->lock);
	init_rwsem(&as->i_mmap_rwsem);
	INIT_LIST_HEAD(&as->i_mmap);
	as->size_pages = pages;
	f->mapping = as;
	f->refcount = 1;
	f->anon_shared = anon_shared;
	snprintf(f->name, sizeof(f->name), "%s", name ? name : "");
	return f;
fail:
	if (as)
		free(as->pages);
	free(as);
	free(f);
	return NULL;
}

unsigned long shmem_size(struct file *f)
{
	return f->mapping->size_pages;
}

/* The folio cached at @index (no reference), or NULL (none, or swapped). */
struct page *shmem_find_page(struct file *f, unsigned long index)
{
	struct address_space *as = f->mapping;
	struct page *p;

	if (index >= as->size_pages)
		return NULL;
	p = __atomic_load_n(&as->pages[index], __ATOMIC_ACQUIRE);
	return slot_is_swap(p) ? NULL : p;
}

/*
 * next_uptodate_folio: for fault-around (filemap_map_pages), the next folio
 * cached at or after *@index and not past @end that can be mapped without
 * waiting: uptodate, not locked by anyone else; returned locked (trylock)
 * with a reference, *@index set to its index; NULL when none is left.
 * Lockless, as the kernel's RCU walk of the xarray: the reference is taken
 * only if the folio is still live, then the slot is read again.  Holes and
 * swap entries (the page is in the swap cache or swapped out) are skipped:
 * they need the fault's own path.
 */
struct page *next_uptodate_folio(struct file *f, unsigned long *index, unsigned long end)
{
	struct address_space *as = f->mapping;

	end = min(end, as->size_pages - 1);
	for (; as->size_pages && *index <= end; (*index)++) {
		struct page *p = __atomic_load_n(&as->pages[*index], __ATOMIC_ACQUIRE);

		if (!p || slot_is_swap(p))
			continue;
		/* shmem here holds order-0 folios only; a locked one is being
		 * read, reclaimed, migrated or truncated */
		if (folio_test_large(p) || folio_test_locked(p))
			continue;
		if (!get_page_unless_zero(p))
			continue;
		if (__atomic_load_n(&as->pages[*index], __ATOMIC_ACQUIRE) != p)
			goto skip;
		if (!test_page_flag(p, PG_uptodate) || !folio_trylock(p))
			goto skip;
		/* freed and reused, or truncated, since the slot was read */
		if (p->mapping != as || p->index != *index ||
		    !test_page_flag(p, PG_uptodate)) {
			folio_unlock(p);
			goto skip;
		}
		return p;
skip:
		put_page(p);
	}
	return NULL;
}

/*
 * For the stale-TLB detector: does slot @index of @f hold the data of
 * @frame - the frame itself, its swapped copy, or another frame with the
 * same bytes (a migration's or a swap-in's copy)?  One read of the slot, so
 * that a swap-in or a writeout moving it meanwhile cannot split the answer.
 */
bool shmem_slot_holds(struct file *f, unsigned long index, struct page *frame)
{
	struct address_space *as = f->mapping;
	struct page *p;

	if (index >= as->size_pages)
		return false;
	p = __atomic_load_n(&as->pages[index], __ATOMIC_ACQUIRE);
	if (p == frame)
		return true;
	if (p == POISONED_SLOT)
		return false;
	if (slot_is_swap(p))
		return true;
	if (!p)	/* leaving the page cache for the swap cache, or a hole */
		return PageSwapCache(frame);
	return phys.no_data || !memcmp(pfn_to_virt(page_to_pfn(p)),
				       pfn_to_virt(page_to_pfn(frame)), PAGE_SIZE);
}

/* Nothing at @index: neither a folio nor a swapped page. */
bool shmem_slot_empty(struct file *f, unsigned long index)
{
	struct address_space *as = f->mapping;

	return index >= as->size_pages || !__atomic_load_n(&as->pages[index], __ATOMIC_ACQUIRE);
}

/* Bring a swapped page back into the cache (shmem_swapin_folio). */
static int shmem_swapin(struct address_space *as, unsigned long index, swp_entry_t e)
{
	struct page *folio;
	bool io;
	int err = 0;

	folio = read_swap_cache_async(e, 0, &io, &err);
	if (!folio && err == -EIO) {
		/* shmem_set_folio_swapin_error: the slot becomes poisoned, so
		 * every later access fails too; the swap slot is let go */
		spin_lock(&as->lock);
		if (as->pages[index] == swap_to_slot(e)) {
			__atomic_store_n(&as->pages[index], POISONED_SLOT, __ATOMIC_RELEASE);
			WRITE_ONCE(as->swapped, as->swapped - 1);
			spin_unlock(&as->lock);
			swap_free(e);
		} else {
			spin_unlock(&as->lock);
		}
		return -EIO;
	}
	if (!folio)
		return err == -ENOENT ? 0 : err;	/* -ENOENT: raced, look again */
	if (io)
		count_vm_event(PGMAJFAULT);
	folio_lock(folio);
	spin_lock(&as->lock);
	if (as->pages[index] == swap_to_slot(e) && PageSwapCache(folio) &&
	    page_swap_entry(folio).val == e.val) {
		get_page(folio);	/* the page cache's */
		folio->mapping = as;
		folio->index = index;
		clear_page_flag(folio, PG_anon);
		set_page_flag(folio, PG_swapbacked);
		__atomic_store_n(&as->pages[index], folio, __ATOMIC_RELEASE);
		luf_trace(LUF_EV_PAGE, page_to_pfn(folio), index, 0, 0, "swapped in at index", NULL);
		as->nrpages++;
		WRITE_ONCE(as->swapped, as->swapped - 1);
		count_vm_event(NR_SHMEM);
		spin_unlock(&as->lock);
		delete_from_swap_cache(folio);
		swap_free(e);		/* the slot's reference */
		SetPageDirty(folio);	/* the only copy is in memory again */
	} else {
		spin_unlock(&as->lock);
	}
	folio_unlock(folio);
	put_page(folio);
	return 0;
}

/*
 * The folio at @index of @f, read in from swap or allocated (zeroed) if
 * need be: returned locked, with a reference (the caller maps it under the
 * lock, as finish_fault does, then unlocks it).
 */
int shmem_get_page(struct file *f, unsigned long index, struct page **out)
{
	struct address_space *as = f->mapping;
	struct page *p, *new = NULL;

	if (index >= as->size_pages)
		return -EINVAL;
	for (;;) {
		spin_lock(&as->lock);
		p = as->pages[index];
		if (p == POISONED_SLOT) {
			spin_unlock(&as->lock);
			if (new)
				put_page(new);
			return -EIO;
		}
		if (slot_is_swap(p)) {
			swp_entry_t e = slot_to_swap(p);
			int ret;

			spin_unlock(&as->lock);
			ret = shmem_swapin(as, index, e);
			if (ret) {
				if (new)
					put_page(new);
				return ret;
			}
			continue;
		}
		if (p) {
			get_page(p);
			spin_unlock(&as->lock);
			if (new) {
				put_page(new);
				new = NULL;
			}
			/* shmem_get_folio_gfp: the folio lock, then is it still
			 * the slot's?  Migration holds both folios locked while
			 * it moves the slot and copies the data, and reclaim
			 * holds it while the folio leaves the cache */
			folio_lock(p);
			if (__atomic_load_n(&as->pages[index], __ATOMIC_ACQUIRE) != p) {
				folio_unlock(p);
				put_page(p);
				continue;
			}
			*out = p;
			return 0;
		}
		if (new) {
			folio_lock(new);	/* ours alone: does not wait */
			new->mapping = as;
			new->index = index;
			set_page_flag(new, PG_swapbacked);
			set_page_flag(new, PG_uptodate);
			__atomic_store_n(&as->pages[index], new, __ATOMIC_RELEASE);
			as->nrpages++;
			count_vm_event(NR_SHMEM);
			get_page(new);	/* the caller's; the cache keeps the first */
			spin_unlock(&as->lock);
			folio_add_lru(new);
			*out = new;
			return 0;
		}
		spin_unlock(&as->lock);
		new = alloc_page(GFP_ZERO | GFP_NODATA_OK);
		if (!new)
			return -ENOMEM;
	}
}

/*
 * Reclaim writes a dirty, unmapped shmem folio (locked): it leaves the page
 * cache for the swap cache, its slot now holding the swap entry.
 */
int shmem_writeout(struct page *folio)
{
	struct address_space *as = folio->mapping;
	unsigned long index = folio->index;
	swp_entry_t e;
	int ret;

	if (!as)
		return -EINVAL;
	e = folio_alloc_swap(folio);
	if (!e.val)
		return -ENOMEM;
	swap_duplicate(e);	/* the slot's reference */
	add_to_swap_cache(folio, e);
	spin_lock(&as->lock);
	VM_BUG_ON(as->pages[index] != folio);
	__atomic_store_n(&as->pages[index], swap_to_slot(e), __ATOMIC_RELEASE);
	luf_trace(LUF_EV_PAGE, page_to_pfn(folio), index, 0, 0, "written out from index", NULL);
	as->nrpages--;
	WRITE_ONCE(as->swapped, as->swapped + 1);
	spin_unlock(&as->lock);
	count_vm_events(NR_SHMEM, -1);
	folio->mapping = NULL;
	put_page(folio);	/* the page cache's reference */
	ret = swap_writeout(folio);
	if (ret < 0)
		SetPageDirty(folio);	/* stays in the swap cache, data in memory */
	return ret;
}

/* Reclaim drops a clean (never written: zero) unmapped shmem folio. */
bool shmem_drop_clean(struct page *folio)
{
	struct address_space *as = folio->mapping;
	bool ret = false;

	spin_lock(&as->lock);
	if (as->pages[folio->index] == folio && page_ref_count(folio) == 2) {
		__atomic_store_n(&as->pages[folio->index], NULL, __ATOMIC_RELEASE);
		as->nrpages--;
		ret = true;
	}
	spin_unlock(&as->lock);
	if (ret) {
		count_vm_events(NR_SHMEM, -1);
		folio->mapping = NULL;
		put_page(folio);	/* the page cache's */
	}
	return ret;
}

/* Swapped pages in [start, end) (page indexes), for smaps Swap. */
unsigned long shmem_swap_usage(struct file *f, unsigned long start, unsigned long end)
{
	struct address_space *as = f->mapping;
	unsigned long n = 0;

	if (!READ_ONCE(as->swapped))
		return 0;
	/* a snapshot without the lock: smaps reads it under PTE locks */
	end = min(end, as->size_pages);
	for (unsigned long i = start; i < end; i++)
	{
		struct page *p = __atomic_load_n(&as->pages[i], __ATOMIC_RELAXED);

		n += slot_is_swap(p) && p != POISONED_SLOT;
	}
	return n;
}

/* Drop the cache's pages and swap in [start, end) (page indexes); mappings
 * must have been zapped already.  Each folio is locked while it leaves, so
 * that reclaim, which works on locked folios, never sees it half gone. */
void shmem_truncate_range(struct file *f, unsigned long start, unsigned long end)
{
	struct address_space *as = f->mapping;

	end = min(end, as->size_pages);
	for (unsigned long i = start; i < end; i++) {
		struct page *p;
		bool removed = false;

		spin_lock(&as->lock);
		p = as->pages[i];
		if (p == POISONED_SLOT) {
			__atomic_store_n(&as->pages[i], NULL, __ATOMIC_RELEASE);
			spin_unlock(&as->lock);
			continue;
		}
		if (p && slot_is_swap(p)) {
			__atomic_store_n(&as->pages[i], NULL, __ATOMIC_RELEASE);
			WRITE_ONCE(as->swapped, as->swapped - 1);
			spin_unlock(&as->lock);
			free_swap_and_cache(slot_to_swap(p));
			continue;
		}
		if (!p) {
			spin_unlock(&as->lock);
			continue;
		}
		get_page(p);
		spin_unlock(&as->lock);
		folio_lock(p);
		spin_lock(&as->lock);
		if (as->pages[i] == p) {
			__atomic_store_n(&as->pages[i], NULL, __ATOMIC_RELEASE);
			as->nrpages--;
			removed = true;
		}
		spin_unlock(&as->lock);
		if (removed) {
			count_vm_events(NR_SHMEM, -1);
			p->mapping = NULL;
		}
		folio_unlock(p);
		if (removed)
			put_page(p);	/* the page cache's */
		put_page(p);
		if (!removed)
			i--;	/* it changed (swapped out?): look at the slot again */
	}
}

void fput(struct file *f)
{
	if (atomic_dec_return(&f->refcount))
		return;
	shmem_truncate_range(f, 0, f->mapping->size_pages);
	free(f->mapping->pages);
	free(f->mapping);
	free(f);
}
