/*
 * shmem.c - shared memory files: memfd and the file behind every shared
 * anonymous mapping.  Each file has a page cache (mapping->i_pages, an
 * xarray) holding, per page index, a folio, a swap entry (the page was
 * swapped out: the slot holds the entry, as shmem's xarray holds a value
 * entry), or nothing; the list of VMAs that map it (i_mmap, the file rmap);
 * and its size, which ftruncate (shmem_setattr) and fallocate
 * (shmem_fallocate) change.  Seals live in memfd.c.
 *
 * Locks: mapping->lock guards the slots, nrpages and swapped; i_mmap_rwsem
 * the VMA list; i_rwsem (inode_lock) size changes, fallocate and seals.  The
 * cache holds one reference on each folio it holds, a mapping another; a
 * swap entry in a slot holds one swap_map reference.  Reads allocate, as
 * shmem does (no zero page for shmem).  Fault-around reads slots without
 * mapping->lock (next_uptodate_folio, as the kernel's RCU walk): a folio it
 * maps is trylocked under the PTE lock, referenced only while live, and
 * checked to still be the slot's.
 *
 * Truncation against faults: a truncation lowers i_size first, then takes
 * each folio out of the cache under its folio lock (and under
 * mapping->lock, the lock an insertion takes too); a fault maps a folio
 * only while it holds the folio lock and after checking i_size under it.
 * So a fault either sees the new size (SIGBUS), or maps the folio before
 * the truncation reaches it, and the truncation unmaps it again
 * (unmap_mapping_folio, and shmem_setattr's second unmap_mapping_range for
 * private copies).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swap.h"
#include "shmem_huge.h"

/* A slot's swap entry is stored as an odd value (the kernel's xa_value). */
static inline bool slot_is_swap(const void *s) { return (uintptr_t)s & 1; }
static inline void *swap_to_slot(swp_entry_t e) { return (void *)((e.val << 1) | 1); }
static inline swp_entry_t slot_to_swap(const void *s) { return (swp_entry_t){ (uintptr_t)s >> 1 }; }
/* A slot whose swapped page could not be read back: accesses get -EIO. */
#define POISONED_SLOT ((struct page *)swap_to_slot(swp_entry(SWP_PTE_MARKER, PTE_MARKER_POISONED)))

/* MAX_LFS_FILESIZE: tmpfs's s_maxbytes */
#define MAX_LFS_FILESIZE	INT64_MAX

static inline unsigned long i_size_pages(struct address_space *as)
{
	return (unsigned long)(((uint64_t)READ_ONCE(as->i_size) + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

/* Store @p at @index under mapping->lock: the slot is one that holds an
 * entry already, or the xarray may allocate (-ENOMEM). */
static inline int slot_store(struct address_space *as, unsigned long index, void *p)
{
	return xa_store(&as->i_pages, index, p);
}

static inline void *slot_load(struct address_space *as, unsigned long index)
{
	return xa_load(&as->i_pages, index);
}

/* The page at @index of the folio @f a slot holds: a shmem THP sits in
 * every slot of its range (the kernel's multi-index entry). */
static inline struct page *slot_page(struct page *f, unsigned long index)
{
	return folio_test_large(f) ? f + (index - f->index) : f;
}

/* ---- files and their inode ---- */

struct file *shmem_file_setup(const char *name, unsigned long size, bool anon_shared)
{
	struct file *f = calloc(1, sizeof(*f));
	struct address_space *as = calloc(1, sizeof(*as));

	if (!f || !as) {
		free(as);
		free(f);
		return NULL;
	}
	spin_lock_init(&as->lock);
	init_rwsem(&as->i_mmap_rwsem);
	init_rwsem(&as->i_rwsem);
	INIT_LIST_HEAD(&as->i_mmap);
	xa_init(&as->i_pages);
	as->i_size = (int64_t)size;
	as->seals = F_SEAL_SEAL;	/* shmem_get_inode: no sealing unless asked */
	as->i_mode = 0777;
	as->refcount = 1;
	f->mapping = as;
	f->refcount = 1;
	f->f_mode = FMODE_READ | FMODE_WRITE;
	f->anon_shared = anon_shared;
	snprintf(f->name, sizeof(f->name), "%s", name ? name : "");
	return f;
}

struct file *shmem_file_reopen(struct file *f, unsigned int f_mode)
{
	struct file *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	*n = *f;
	n->refcount = 1;
	n->f_mode = f_mode;
	atomic_inc(&f->mapping->refcount);
	return n;
}

static void shmem_undo_range(struct address_space *as, int64_t lstart, int64_t lend,
			     bool unfalloc);

/* The last file on the inode closed (shmem_evict_inode): free everything. */
static void mapping_put(struct address_space *as)
{
	if (atomic_dec_return(&as->refcount))
		return;
	shmem_undo_range(as, 0, -1, false);
	filemap_evict(as);
	xa_destroy(&as->i_pages);
	free(as);
}

void fput(struct file *f)
{
	if (atomic_dec_return(&f->refcount))
		return;
	if (f->release)
		f->release(f);
	else
		mapping_put(f->mapping);
	free(f);
}

unsigned long shmem_size(struct file *f)
{
	return i_size_pages(f->mapping);
}

/* ---- lookups ---- */

/* The folio cached at @index (no reference), or NULL (none, or swapped). */
struct page *shmem_find_page(struct file *f, unsigned long index)
{
	struct page *p = slot_load(f->mapping, index);

	return !p || slot_is_swap(p) ? NULL : slot_page(p, index);
}

/*
 * next_uptodate_folio: for fault-around (filemap_map_pages), the next folio
 * cached at or after *@index and not past @end that can be mapped without
 * waiting: uptodate, not locked by anyone else; returned locked (trylock)
 * with a reference, *@index set to its index; NULL when none is left.
 * Lockless, as the kernel's RCU walk of the xarray: the reference is taken
 * only if the folio is still live, then the slot is read again.  Holes,
 * fallocated folios not yet written (not uptodate) and swap entries (the
 * page is in the swap cache or swapped out) are skipped: they need the
 * fault's own path.  Nothing at or past i_size, checked under the lock.
 * A shmem THP is returned whole (its head), *@index the page found.
 */
struct page *next_uptodate_folio(struct file *f, unsigned long *index, unsigned long end)
{
	struct address_space *as = f->mapping;
	unsigned long size = i_size_pages(as);

	if (!size)
		return NULL;
	end = min(end, size - 1);
	for (; *index <= end; (*index)++) {
		struct page *p = slot_load(as, *index);

		if (!p || slot_is_swap(p))
			continue;
		/* a locked folio is being read, reclaimed, migrated, split or
		 * truncated */
		if (folio_test_locked(p))
			continue;
		if (!get_page_unless_zero(p))
			continue;
		if (slot_load(as, *index) != p)
			goto skip;
		/* a disk file's readahead marker (PG_readahead, PG_reclaim's
		 * bit, set by reclaim): left to a fault of its own */
		if (!test_page_flag(p, PG_uptodate) ||
		    (as->disk && test_page_flag(p, PG_reclaim)) || !folio_trylock(p))
			goto skip;
		/* freed and reused, or truncated, since the slot was read */
		if (p->mapping != as || *index < p->index ||
		    *index >= p->index + folio_nr_pages(p) || !test_page_flag(p, PG_uptodate)) {
			folio_unlock(p);
			goto skip;
		}
		if (*index >= i_size_pages(as)) {	/* truncated meanwhile */
			folio_unlock(p);
			put_page(p);
			return NULL;
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
	struct page *p = slot_load(f->mapping, index);

	if (p == frame || (p && !slot_is_swap(p) && p == compound_head(frame)))
		return true;
	if (p == POISONED_SLOT)
		return false;
	if (slot_is_swap(p))
		return true;
	if (!p && f->mapping->disk)	/* dropped: the disk holds the data */
		return true;
	if (!p)	/* leaving the page cache for the swap cache, or a hole */
		return PageSwapCache(frame);
	return phys.no_data || !memcmp(pfn_to_virt(page_to_pfn(p)),
				       pfn_to_virt(page_to_pfn(frame)), PAGE_SIZE);
}

/* Nothing at @index: neither a folio nor a swapped page. */
bool shmem_slot_empty(struct file *f, unsigned long index)
{
	return index >= i_size_pages(f->mapping) || !slot_load(f->mapping, index);
}

/* ---- getting a folio ---- */

/* Bring a swapped page back into the cache (shmem_swapin_folio). */
static int shmem_swapin(struct address_space *as, unsigned long index, swp_entry_t e)
{
	struct page *folio;
	bool io;
	int err = 0;

	folio = read_swap_cache_async(e, NULL, 0, &io, &err);
	if (!folio && err == -EIO) {
		/* shmem_set_folio_swapin_error: the slot becomes poisoned, so
		 * every later access fails too; the swap slot is let go */
		spin_lock(&as->lock);
		if (slot_load(as, index) == swap_to_slot(e)) {
			slot_store(as, index, POISONED_SLOT);
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
	if (slot_load(as, index) == swap_to_slot(e) && PageSwapCache(folio) &&
	    page_swap_entry(folio).val == e.val) {
		get_page(folio);	/* the page cache's */
		folio->mapping = as;
		folio->index = index;
		clear_page_flag(folio, PG_anon);
		set_page_flag(folio, PG_swapbacked);
		slot_store(as, index, folio);
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

/* A new folio into the empty slot @index, under mapping->lock: set up and
 * locked before a lockless reader can see it. */
static int shmem_add_to_page_cache(struct address_space *as, unsigned long index,
				   struct page *new, enum sgp_type sgp)
{
	folio_lock(new);	/* ours alone: does not wait */
	new->mapping = as;
	new->index = index;
	if (as->disk)
		filemap_read_folio(as, index, new);
	else
		set_page_flag(new, PG_swapbacked);
	/* a fallocated folio stays !uptodate until first used */
	if (sgp != SGP_FALLOC)
		set_page_flag(new, PG_uptodate);
	if (slot_store(as, index, new)) {
		new->mapping = NULL;
		folio_unlock(new);
		return -ENOMEM;
	}
	as->nrpages++;
	filemap_account(as, 1);
	get_page(new);	/* the caller's; the cache keeps the first */
	return 0;
}

/* A folio found in the cache: lock it and check it is still there and
 * still within i_size.  1: *out is it; 0: look again; -errno. */
static int shmem_lock_found(struct address_space *as, unsigned long index,
			    struct page *p, enum sgp_type sgp, struct page **out)
{
	/* shmem_get_folio_gfp: the folio lock, then is it still the slot's?
	 * Migration holds both folios locked while it moves the slot and
	 * copies the data, reclaim holds it while the folio leaves the cache,
	 * a truncation while it takes it out */
	folio_lock(p);
	if (slot_load(as, index) != p) {
		folio_unlock(p);
		put_page(p);
		return 0;
	}
	if (sgp != SGP_FALLOC && index >= i_size_pages(as)) {
		folio_unlock(p);
		put_page(p);
		return -EINVAL;
	}
	if (!test_page_flag(p, PG_uptodate)) {
		/* fallocated, never used: a hole to a reader; its frame was
		 * allocated zeroed, so the first user only marks it */
		if (sgp == SGP_READ) {
			folio_unlock(p);
			put_page(p);
			*out = NULL;
			return 1;
		}
		if (sgp == SGP_CACHE)
			set_page_flag(p, PG_uptodate);
	}
	*out = slot_page(p, index);	/* the folio (locked) is its head's */
	return 1;
}

static int __shmem_get_folio(struct address_space *as, unsigned long index,
			     enum sgp_type sgp, struct page **out)
{
	struct page *p, *new = NULL;
	int ret;

	*out = NULL;
	for (;;) {
		if (sgp != SGP_FALLOC && index >= i_size_pages(as)) {
			ret = -EINVAL;
			break;
		}
		spin_lock(&as->lock);
		p = slot_load(as, index);
		if (p == POISONED_SLOT) {
			spin_unlock(&as->lock);
			ret = -EIO;
			break;
		}
		if (slot_is_swap(p)) {
			spin_unlock(&as->lock);
			ret = shmem_swapin(as, index, slot_to_swap(p));
			if (ret)
				break;
			continue;
		}
		if (p) {
			get_page(p);
			spin_unlock(&as->lock);
			ret = shmem_lock_found(as, index, p, sgp, out);
			if (ret)
				break;
			continue;
		}
		if (sgp == SGP_READ) {
			spin_unlock(&as->lock);
			ret = 0;
			break;
		}
		if (new) {
			/* checked under mapping->lock: a truncation lowers
			 * i_size before it takes this lock to empty slots */
			ret = sgp != SGP_FALLOC && index >= i_size_pages(as) ? -EINVAL :
			      shmem_add_to_page_cache(as, index, new, sgp);
			spin_unlock(&as->lock);
			if (ret)
				break;
			folio_add_lru(new);
			*out = new;
			return 0;
		}
		spin_unlock(&as->lock);
		new = alloc_page(GFP_ZERO | GFP_NODATA_OK);
		if (!new)
			return -ENOMEM;
	}
	if (new)
		put_page(new);
	return ret > 0 ? 0 : ret;
}

int shmem_get_folio(struct file *f, unsigned long index, enum sgp_type sgp,
		    struct page **out)
{
	return __shmem_get_folio(f->mapping, index, sgp, out);
}

/* shmem_get_folio for a write(2) (@size: the file's size once this page
 * is written) or a fallocate(2) (SGP_FALLOC, @size its end): nothing at
 * @index and shmem_enabled giving the file THPs, a new THP around it. */
int shmem_get_folio_write(struct file *f, unsigned long index, enum sgp_type sgp,
			  uint64_t size, struct page **out)
{
	struct page *p = NULL;

	if (!slot_load(f->mapping, index) && shmem_allowable_huge_write(f, index, size))
		p = shmem_get_huge_page(f, NULL, index, sgp == SGP_FALLOC);
	if (!p)
		return __shmem_get_folio(f->mapping, index, sgp, out);
	*out = p;
	return 0;
}

/* ---- shmem THPs in the page cache ---- */

/* What slot @index holds: a hole, a swapped page, a poisoned one, or a
 * folio (*@folio, no reference taken).  A snapshot without the lock, as
 * khugepaged's scan reads the xarray under RCU. */
enum shmem_slot shmem_slot_peek(struct address_space *as, unsigned long index,
				struct page **folio)
{
	struct page *p = slot_load(as, index);

	*folio = NULL;
	if (!p)
		return SHMEM_SLOT_HOLE;
	if (p == POISONED_SLOT)
		return SHMEM_SLOT_POISONED;
	if (slot_is_swap(p))
		return SHMEM_SLOT_SWAP;
	*folio = p;
	return SHMEM_SLOT_FOLIO;
}

/* A new PMD-sized folio (locked, one reference: the caller's) becomes the
 * page cache's at @start: its pages' mapping and index, and the cache's
 * reference for each slot. */
static void shmem_huge_prep(struct address_space *as, struct page *folio, unsigned long start)
{
	folio_lock(folio);	/* ours alone: does not wait */
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		folio[i].mapping = as;
		folio[i].index = start + i;
	}
	set_page_flag(folio, PG_swapbacked);
	set_page_flag(folio, PG_uptodate);
	/* written or about to be: reclaim must never take it for a clean
	 * (never written) page */
	SetPageDirty(folio);
}

/* The slots [@start, +HPAGE_PMD_NR) all hold @folio now, in place of
 * @old[i] (NULL: all were holes), whose pages the caller dealt with;
 * -ENOMEM (nothing changed) when the xarray could not grow.
 * mapping->lock held. */
static int shmem_huge_store(struct address_space *as, struct page *folio, unsigned long start,
			    struct page **old)
{
	unsigned long present = 0;

	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		if (slot_store(as, start + i, folio)) {
			while (i--)	/* slots that exist: cannot fail */
				slot_store(as, start + i, old ? old[i] : NULL);
			return -ENOMEM;
		}
		present += old && old[i];
	}
	as->nrpages += HPAGE_PMD_NR - present;
	atomic_add(&folio->_refcount, HPAGE_PMD_NR);
	count_vm_events(NR_SHMEM_THPS, 1);
	return 0;
}

/*
 * shmem_alloc_and_add_folio for the PMD order: a fault at @index of @v
 * (NULL: a write(2) or, @falloc, a fallocate(2)) where a THP is allowed
 * gets a new zeroed PMD-sized folio over the aligned range around it, if
 * that range holds nothing yet; it may reach past i_size (tmpfs maps such
 * a THP by a PMD all the same).  Returns the page at @index (its folio
 * locked, a reference the caller's), or NULL: fall back to a small page.
 */
struct page *shmem_get_huge_page(struct file *f, struct vm_area_struct *v, unsigned long index,
				 bool falloc)
{
	struct address_space *as = f->mapping;
	unsigned long start = index & ~(HPAGE_PMD_NR - 1), i = start;
	unsigned long addr = v ? v->vm_start + ((start - v->vm_pgoff) << PAGE_SHIFT) : 0;
	struct page *folio;

	if (as->disk || xa_find(&as->i_pages, &i, start + HPAGE_PMD_NR - 1))
		return NULL;
	folio = vma_alloc_folio(v, addr, HPAGE_PMD_ORDER, GFP_ZERO | GFP_NODATA_OK | GFP_NORECLAIM);
	if (!folio) {
		count_mthp_stat(HPAGE_PMD_ORDER, MTHP_STAT_SHMEM_FALLBACK);
		return NULL;
	}
	prep_compound_page(folio, HPAGE_PMD_ORDER);
	shmem_huge_prep(as, folio, start);
	spin_lock(&as->lock);
	i = start;
	if ((!falloc && index >= i_size_pages(as)) ||
	    xa_find(&as->i_pages, &i, start + HPAGE_PMD_NR - 1) ||
	    shmem_huge_store(as, folio, start, NULL)) {
		spin_unlock(&as->lock);	/* raced: a page or a truncation */
		for (i = 0; i < HPAGE_PMD_NR; i++)
			folio[i].mapping = NULL;
		folio_unlock(folio);
		put_page(folio);
		return NULL;
	}
	spin_unlock(&as->lock);
	filemap_account(as, HPAGE_PMD_NR);
	folio_add_lru(folio);
	count_vm_event(THP_FILE_ALLOC);
	count_mthp_stat(HPAGE_PMD_ORDER, MTHP_STAT_SHMEM_ALLOC);
	return folio + (index - start);
}

/*
 * collapse_file's commit: @new (PMD-sized, zeroed where the range had
 * holes, the data of @old copied in) replaces the small folios @old[i]
 * (locked, unmapped and referenced by the caller; NULL for a hole) in the
 * slots [@start, +HPAGE_PMD_NR).  Fails (-EAGAIN, nothing changed) when a
 * hole was filled or a slot changed meanwhile.  The old folios lose the
 * cache's reference; @new is returned locked and referenced as before.
 */
int shmem_collapse_commit(struct address_space *as, unsigned long start, struct page *new,
			  struct page **old)
{
	unsigned long present = 0;
	int err = 0;

	shmem_huge_prep(as, new, start);
	spin_lock(&as->lock);
	for (unsigned long i = 0; i < HPAGE_PMD_NR && !err; i++) {
		if (slot_load(as, start + i) != old[i])
			err = -EAGAIN;
		present += old[i] != NULL;
	}
	if (!err)
		err = shmem_huge_store(as, new, start, old);
	spin_unlock(&as->lock);
	if (err) {
		for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
			new[i].mapping = NULL;
		folio_unlock(new);
		return err;
	}
	filemap_account(as, (long)(HPAGE_PMD_NR - present));
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		if (old[i]) {
			old[i]->mapping = NULL;
			put_page(old[i]);	/* the page cache's */
		}
	}
	folio_add_lru(new);
	return 0;
}

/* ---- reclaim ---- */

/*
 * Reclaim writes a dirty, unmapped shmem folio (locked): it leaves the page
 * cache for the swap cache, its slot now holding the swap entry.  A
 * fallocated folio never used is written as the zero page it is.
 */
int shmem_writeout(struct page *folio)
{
	struct address_space *as = folio->mapping;
	unsigned long index = folio->index;
	swp_entry_t e;
	int ret;

	if (!as || folio_test_large(folio))	/* reclaim splits a shmem THP first */
		return -EINVAL;
	e = folio_alloc_swap(folio);
	if (!e.val)
		return -ENOMEM;
	set_page_flag(folio, PG_uptodate);
	swap_duplicate(e);	/* the slot's reference */
	add_to_swap_cache(folio, e);
	spin_lock(&as->lock);
	VM_BUG_ON(slot_load(as, index) != folio);
	slot_store(as, index, swap_to_slot(e));
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

/* Take @folio out of its slot if it is still there (and, when @refs is not
 * 0, has exactly that many references); the cache's reference goes. */
static bool shmem_delete_from_page_cache(struct address_space *as, struct page *folio,
					 int refs)
{
	unsigned long nr = folio_nr_pages(folio);
	bool ret = false;

	spin_lock(&as->lock);
	if (slot_load(as, folio->index) == folio &&
	    (!refs || page_ref_count(folio) == refs)) {
		for (unsigned long i = 0; i < nr; i++)
			slot_store(as, folio->index + i, NULL);
		as->nrpages -= nr;
		ret = true;
	}
	spin_unlock(&as->lock);
	if (ret) {
		filemap_account(as, -(long)nr);
		if (nr > 1)
			count_vm_events(NR_SHMEM_THPS, -1);
		for (unsigned long i = 0; i < nr; i++)
			folio[i].mapping = NULL;
		folio_put_refs(folio, (int)nr);	/* the page cache's, one a slot */
	}
	return ret;
}

/* Reclaim drops a clean (never written: zero) unmapped shmem folio: only
 * the cache and reclaim's isolation hold it. */
bool shmem_drop_clean(struct page *folio)
{
	return shmem_delete_from_page_cache(folio->mapping, folio, 2);
}

/* Is the page at @index swapped out?  One point lookup of the cache (as
 * the kernel's filemap_get_entry: a descent under RCU), for pagemap's
 * lookup mode. */
bool shmem_is_swapped(struct file *f, unsigned long index)
{
	struct address_space *as = f->mapping;
	struct page *p;

	if (!READ_ONCE(as->swapped))
		return false;
	p = slot_load(as, index);
	return p && slot_is_swap(p) && p != POISONED_SLOT;
}

/* Swapped pages in [start, end) (page indexes), for smaps Swap. */
unsigned long shmem_swap_usage(struct file *f, unsigned long start, unsigned long end)
{
	struct address_space *as = f->mapping;
	unsigned long n = 0, i = start;
	struct page *p;

	if (!READ_ONCE(as->swapped) || start >= end)
		return 0;
	/* a snapshot without the lock: smaps reads it under PTE locks */
	while ((p = xa_find(&as->i_pages, &i, end - 1))) {
		n += slot_is_swap(p) && p != POISONED_SLOT;
		if (++i == 0 || i >= end)
			break;
	}
	return n;
}

/* ---- truncation and hole punching ---- */

/* folio_zero_range: bytes [@from, @to) of a cached folio, in place (other
 * CPUs may be reading them through their mappings). */
static void folio_zero_range(struct page *folio, unsigned int from, unsigned int to)
{
	uint8_t *d = pfn_to_virt(page_to_pfn(folio));

	if (phys.no_data)
		return;
	for (unsigned int i = from; i < to; i++)
		__atomic_store_n(&d[i], 0, __ATOMIC_RELAXED);
}

/* truncate_inode_partial_folio: zero [@from, @to) of the page at @index,
 * if the cache has it (read back from swap if need be). */
static void shmem_zero_partial(struct address_space *as, unsigned long index,
			       unsigned int from, unsigned int to)
{
	struct page *folio;

	if (__shmem_get_folio(as, index, SGP_READ, &folio) || !folio)
		return;
	folio_zero_range(folio, from, to);
	SetPageDirty(folio);
	folio_unlock(folio);
	put_page(folio);
}

/* Take the slot's folio @p (locked, referenced by the caller) out of the
 * cache, unmapping it first if a fault mapped it meanwhile. */
static bool shmem_remove_folio(struct address_space *as, unsigned long index, struct page *p)
{
	if (p->mapping != as || index < p->index || index >= p->index + folio_nr_pages(p))
		return false;
	if (folio_mapped(p))
		unmap_mapping_folio(p);
	return shmem_delete_from_page_cache(as, p, 0);
}

/*
 * The first entry of [*@index, @end) out of the cache, *@index set to it: a
 * swap entry is freed, a folio locked and removed (with @unfalloc only one
 * not uptodate, added by the fallocate being undone).  Returns 1 when the
 * entry is dealt with, 0 when it changed meanwhile (look at it again), -1
 * when nothing is left.
 */
static int shmem_undo_one(struct address_space *as, unsigned long *index,
			  unsigned long end, bool unfalloc)
{
	struct page *p;
	bool done;

	spin_lock(&as->lock);
	p = xa_find(&as->i_pages, index, end - 1);
	if (!p) {
		spin_unlock(&as->lock);
		return -1;
	}
	if (slot_is_swap(p)) {
		if (!unfalloc) {
			slot_store(as, *index, NULL);
			if (p != POISONED_SLOT)
				WRITE_ONCE(as->swapped, as->swapped - 1);
		}
		spin_unlock(&as->lock);
		if (!unfalloc && p != POISONED_SLOT)
			free_swap_and_cache(slot_to_swap(p));
		return 1;
	}
	get_page(p);
	spin_unlock(&as->lock);
	folio_lock(p);
	/* a shmem THP the range covers in part is split first (as
	 * truncate_inode_partial_folio), then looked at again page by page */
	if (folio_test_large(p) && p->mapping == as &&
	    (p->index < *index || p->index + folio_nr_pages(p) > end)) {
		unsigned long last = min(end, p->index + folio_nr_pages(p)) - 1;

		done = !split_folio(p);
		if (!done) {
			/* referenced elsewhere (a pin): it stays whole, the
			 * pages in the range zeroed in place */
			for (unsigned long i = *index; i <= last && !unfalloc; i++)
				folio_zero_range(p + (i - p->index), 0, PAGE_SIZE);
			*index = last;
		}
		folio_unlock(p);
		put_page(p);
		return !done;
	}
	done = (unfalloc && test_page_flag(p, PG_uptodate)) ||
	       shmem_remove_folio(as, *index, p);
	folio_unlock(p);
	put_page(p);
	return done;	/* not done: swapped out, migrated? */
}

/*
 * shmem_undo_range: free [@lstart, @lend] (bytes; @lend -1 is the end of
 * the file).  Whole pages leave the cache, swapped ones free their swap;
 * the parts of pages at either end are zeroed in place.  With @unfalloc
 * (a failed fallocate undone) only its whole !uptodate folios go.
 * Mappings of the pages must have been zapped; one a fault mapped since is
 * unmapped as it goes.  A disk file's blocks go before and after its
 * folios: a fault reading the page back in meanwhile reads the hole, and a
 * block that reclaim's writeback made again meanwhile goes in the second
 * pass.
 */
static void shmem_undo_range(struct address_space *as, int64_t lstart, int64_t lend,
			     bool unfalloc)
{
	unsigned long start = (unsigned long)(((uint64_t)lstart + PAGE_SIZE - 1) >> PAGE_SHIFT);
	unsigned long end = lend < 0 ? ULONG_MAX : (unsigned long)((uint64_t)(lend + 1) >> PAGE_SHIFT);
	unsigned int from = lstart & (PAGE_SIZE - 1);
	unsigned int to = lend < 0 ? 0 : (unsigned int)((lend + 1) & (PAGE_SIZE - 1));
	unsigned long index = start;

	if (!unfalloc)
		filemap_truncate_blocks(as, lstart, lend);
	if (!unfalloc && from) {	/* the page holding @lstart, in part */
		bool same = lend >= 0 && (lstart >> PAGE_SHIFT) == (lend >> PAGE_SHIFT);

		shmem_zero_partial(as, lstart >> PAGE_SHIFT, from, same && to ? to : PAGE_SIZE);
		if (same)
			to = 0;
	}
	if (!unfalloc && to)		/* the page holding @lend, in part */
		shmem_zero_partial(as, lend >> PAGE_SHIFT, 0, to);
	while (index < end) {
		int r = shmem_undo_one(as, &index, end, unfalloc);

		if (r < 0 || (r && ++index == 0))
			break;
		cpu_poll();
	}
	if (!unfalloc)
		filemap_truncate_blocks(as, lstart, lend);
}

/*
 * ftruncate (shmem_setattr): a new size.  Shrinking unmaps the pages past
 * it from every mapping, private copies too (even_cows), frees them and
 * zeroes the tail of the last page, then unmaps again for copies a racing
 * fault made; the same size also frees what lies past it (pages fallocated
 * beyond the end, the last page's tail).  Seals: F_SEAL_SHRINK, F_SEAL_GROW
 * (-EPERM).
 */
int shmem_setattr(struct file *f, int64_t newsize)
{
	struct address_space *as = f->mapping;
	int64_t oldsize;
	int ret = 0;

	down_write(&as->i_rwsem);
	oldsize = as->i_size;
	if ((newsize < oldsize && (as->seals & F_SEAL_SHRINK)) ||
	    (newsize > oldsize && (as->seals & F_SEAL_GROW))) {
		ret = -EPERM;
		goto out;
	}
	WRITE_ONCE(as->i_size, newsize);
	if (newsize <= oldsize) {
		unsigned long holebegin = (unsigned long)(((uint64_t)newsize + PAGE_SIZE - 1) >> PAGE_SHIFT);
		bool unmap = (uint64_t)oldsize > (uint64_t)holebegin << PAGE_SHIFT;

		if (unmap)
			unmap_mapping_pages(as, holebegin, ULONG_MAX, true);
		shmem_undo_range(as, newsize, -1, false);
		/* unmap again to remove racily COWed private pages */
		if (unmap)
			unmap_mapping_pages(as, holebegin, ULONG_MAX, true);
	}
out:
	up_write(&as->i_rwsem);
	return ret;
}

/* fallocate's hole punch: unmap the whole pages of the hole (copies made
 * by private mappings stay), then free them and zero the partial ends. */
static int shmem_punch_hole(struct address_space *as, int64_t offset, int64_t len)
{
	uint64_t first = ((uint64_t)offset + PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint64_t end = (uint64_t)(offset + len) >> PAGE_SHIFT;

	if (as->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if (end > first)
		unmap_mapping_pages(as, first, end - 1, false);
	shmem_undo_range(as, offset, offset + len - 1, false);
	return 0;
}

/* fallocate's allocation: every page of the range in the cache (read back
 * from swap, or new and not uptodate), dirty so that reclaim swaps rather
 * than drops them; a failure frees the folios this call added. */
static int shmem_falloc_range(struct file *f, int64_t offset, int64_t len)
{
	unsigned long start = (unsigned long)((uint64_t)offset >> PAGE_SHIFT);
	unsigned long end = (unsigned long)(((uint64_t)(offset + len) + PAGE_SIZE - 1) >> PAGE_SHIFT);

	for (unsigned long index = start; index < end; index++) {
		struct page *folio;
		int ret = shmem_get_folio_write(f, index, SGP_FALLOC, (uint64_t)(offset + len),
						&folio);

		if (ret) {
			if (index > start)
				shmem_undo_range(f->mapping, (int64_t)start << PAGE_SHIFT,
						 ((int64_t)index << PAGE_SHIFT) - 1, true);
			return ret;
		}
		SetPageDirty(folio);
		folio_unlock(folio);
		put_page(folio);
		cpu_poll();
	}
	return 0;
}

/*
 * fallocate (shmem_fallocate), after vfs_fallocate's checks: punch a hole
 * (FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE; -EPERM under a write seal), or
 * allocate the range, growing the file unless FALLOC_FL_KEEP_SIZE (-EPERM
 * past the end under F_SEAL_GROW, with or without it).
 */
int shmem_fallocate(struct file *f, int mode, int64_t offset, int64_t len)
{
	struct address_space *as = f->mapping;
	int ret;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	down_write(&as->i_rwsem);
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		ret = shmem_punch_hole(as, offset, len);
		goto out;
	}
	if ((as->seals & F_SEAL_GROW) && offset + len > as->i_size) {
		ret = -EPERM;
		goto out;
	}
	/* a disk filesystem allocates blocks, not page-cache folios; they
	 * read as zero until written */
	ret = as->disk ? 0 : shmem_falloc_range(f, offset, len);
	if (!ret && !(mode & FALLOC_FL_KEEP_SIZE) && offset + len > as->i_size)
		WRITE_ONCE(as->i_size, offset + len);
out:
	up_write(&as->i_rwsem);
	return ret;
}

/* FALLOC_FL_* modes vfs_fallocate knows (linux/falloc.h) */
#define FALLOC_FL_COLLAPSE_RANGE	0x08
#define FALLOC_FL_ZERO_RANGE		0x10
#define FALLOC_FL_INSERT_RANGE		0x20
#define FALLOC_FL_UNSHARE_RANGE		0x40
#define FALLOC_FL_WRITE_ZEROES		0x80
#define FALLOC_FL_MODE_MASK	(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | \
				 FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | \
				 FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES)

/*
 * vfs_fallocate (fs/open.c's checks, in their order): -EINVAL for a
 * negative offset or a length not above 0; -EOPNOTSUPP for an unknown bit,
 * two modes at once, a hole punch without FALLOC_FL_KEEP_SIZE or a
 * collapse, insert or write-zeroes with it; -EBADF from a file not opened
 * for writing; -EFBIG past the largest file.  Then shmem_fallocate, which
 * supports only allocation and hole punching (-EOPNOTSUPP).
 */
int vfs_fallocate(struct file *f, int mode, int64_t offset, int64_t len)
{
	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(FALLOC_FL_MODE_MASK | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	switch (mode & FALLOC_FL_MODE_MASK) {
	case 0:
	case FALLOC_FL_UNSHARE_RANGE:
	case FALLOC_FL_ZERO_RANGE:
		break;
	case FALLOC_FL_PUNCH_HOLE:
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return -EOPNOTSUPP;
		break;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
	case FALLOC_FL_WRITE_ZEROES:
		if (mode & FALLOC_FL_KEEP_SIZE)
			return -EOPNOTSUPP;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!(f->f_mode & FMODE_WRITE))
		return -EBADF;
	if (offset > MAX_LFS_FILESIZE - len)
		return -EFBIG;
	return shmem_fallocate(f, mode, offset, len);
}

