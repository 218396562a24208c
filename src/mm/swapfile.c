/*
 * swapfile.c - swap areas: a real file per area (written and read with
 * pwrite/pread by page_io.c), its slot allocator, and swap_map, the count of
 * references to each slot (swap PTEs and shmem page-cache slots) plus the
 * SWAP_HAS_CACHE bit while a folio for the slot sits in the swap cache.
 * A slot is free when its map entry is zero.  Slot 0 is the header, as in a
 * real swap file, and never allocated.
 *
 * Locks: swap_info->lock guards swap_map, zeromap, the cache slots and the
 * counters; it is innermost (taken under PTE locks and the folio lock).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "swap.h"

struct swap_info_struct *swap_info[MAX_SWAPFILES];
int nr_swapfiles;
static long swap_total, swap_free_slots;	/* atomic */

struct swap_info_struct *swp_swap_info(swp_entry_t e)
{
	unsigned int type = swp_type(e);

	if (type >= MAX_SWAPFILES)
		return NULL;
	return READ_ONCE(swap_info[type]);
}

long nr_swap_pages(void) { return atomic_read(&swap_free_slots); }
long total_swap_pages(void) { return atomic_read(&swap_total); }

/* Add a swap area of @bytes backed by a new file; returns its type. */
int swapon_file(uint64_t bytes)
{
	struct swap_info_struct *si;
	const char *dir = getenv("TMPDIR");
	unsigned long slots = bytes >> PAGE_SHIFT;
	int type;

	if (bytes < 40960 || slots > (1UL << 32))
		return -EINVAL;
	if (nr_swapfiles >= MAX_SWAPFILES)
		return -EPERM;
	si = calloc(1, sizeof(*si));
	if (!si)
		return -ENOMEM;
	snprintf(si->path, sizeof(si->path), "%s/mmlab-swap-XXXXXX", dir && *dir ? dir : "/tmp");
	si->fd = mkstemp(si->path);
	if (si->fd < 0) {
		free(si);
		return -errno;
	}
	/* the file keeps its name only while the area lives */
	unlink(si->path);
	if (ftruncate(si->fd, (off_t)bytes)) {
		int err = -errno;

		close(si->fd);
		free(si);
		return err;
	}
	si->max = slots;
	si->swap_map = calloc(slots, sizeof(*si->swap_map));
	si->zeromap = calloc(slots, 1);
	si->cache = calloc(slots, sizeof(*si->cache));
	if (!si->swap_map || !si->zeromap || !si->cache) {
		close(si->fd);
		free(si->swap_map);
		free(si->zeromap);
		free(si->cache);
		free(si);
		return -ENOMEM;
	}
	spin_lock_init(&si->lock);
	si->next = 1;
	type = nr_swapfiles;
	si->type = type;
	__atomic_store_n(&swap_info[type], si, __ATOMIC_RELEASE);
	nr_swapfiles++;
	atomic_add(&swap_total, (long)slots - 1);
	atomic_add(&swap_free_slots, (long)slots - 1);
	return type;
}

void swapoff_all(void)
{
	for (int i = 0; i < nr_swapfiles; i++) {
		struct swap_info_struct *si = swap_info[i];

		/* folios still cached (nobody maps them now) go, with what
		 * they hold (an anonymous folio's anon_vma) */
		for (unsigned long off = 1; off < si->max; off++) {
			struct page *folio = si->cache[off];

			if (!folio)
				continue;
			get_page(folio);
			folio_lock(folio);
			delete_from_swap_cache(folio);
			folio_unlock(folio);
			put_page(folio);
		}
		close(si->fd);
		free(si->swap_map);
		free(si->zeromap);
		free(si->cache);
		free(si);
		swap_info[i] = NULL;
	}
	nr_swapfiles = 0;
	swap_total = swap_free_slots = 0;
}

/* A free slot for @folio, marked as cached; val 0 when swap is full. */
swp_entry_t folio_alloc_swap(struct page *folio)
{
	(void)folio;
	for (int t = 0; t < nr_swapfiles; t++) {
		struct swap_info_struct *si = swap_info[t];

		spin_lock(&si->lock);
		for (unsigned long n = 0; n < si->max && si->inuse_pages < si->max - 1; n++) {
			unsigned long off = si->next;

			si->next = si->next + 1 >= si->max ? 1 : si->next + 1;
			if (off && !si->swap_map[off]) {
				__atomic_store_n(&si->swap_map[off], SWAP_HAS_CACHE, __ATOMIC_RELAXED);
				si->inuse_pages++;
				spin_unlock(&si->lock);
				atomic_dec(&swap_free_slots);
				return swp_entry(t, off);
			}
		}
		spin_unlock(&si->lock);
	}
	return (swp_entry_t){ 0 };
}

static void swap_slot_free_locked(struct swap_info_struct *si, unsigned long off)
{
	__atomic_store_n(&si->swap_map[off], 0, __ATOMIC_RELAXED);
	si->zeromap[off] = 0;
	si->inuse_pages--;
	atomic_inc(&swap_free_slots);
}

int swap_duplicate(swp_entry_t e)
{
	struct swap_info_struct *si = swp_swap_info(e);
	unsigned long off = swp_offset(e);

	if (!si || !off || off >= si->max)
		return -EINVAL;
	spin_lock(&si->lock);
	VM_WARN_ON_ONCE(!si->swap_map[off]);
	__atomic_fetch_add(&si->swap_map[off], 1, __ATOMIC_RELAXED);
	spin_unlock(&si->lock);
	return 0;
}

/* Drop one reference; the slot is free when none and no cache remain. */
void swap_free(swp_entry_t e)
{
	struct swap_info_struct *si = swp_swap_info(e);
	unsigned long off = swp_offset(e);

	if (!si || !off || off >= si->max)
		return;
	spin_lock(&si->lock);
	if (!VM_WARN_ON_ONCE(!(si->swap_map[off] & SWAP_COUNT_MASK))) {
		__atomic_fetch_sub(&si->swap_map[off], 1, __ATOMIC_RELAXED);
		if (!si->swap_map[off])
			swap_slot_free_locked(si, off);
	}
	spin_unlock(&si->lock);
}

int __swap_count(swp_entry_t e)
{
	struct swap_info_struct *si = swp_swap_info(e);

	if (!si || swp_offset(e) >= si->max)
		return 0;
	return READ_ONCE(si->swap_map[swp_offset(e)]) & SWAP_COUNT_MASK;
}

/* The swap cache let go of the slot. */
void swapcache_clear(swp_entry_t e)
{
	struct swap_info_struct *si = swp_swap_info(e);
	unsigned long off = swp_offset(e);

	spin_lock(&si->lock);
	__atomic_fetch_and(&si->swap_map[off], (uint16_t)~SWAP_HAS_CACHE, __ATOMIC_RELAXED);
	if (!si->swap_map[off])
		swap_slot_free_locked(si, off);
	spin_unlock(&si->lock);
}

/* Claim the cache bit before reading a slot in: -EEXIST if taken. */
int swapcache_prepare(swp_entry_t e)
{
	struct swap_info_struct *si = swp_swap_info(e);
	unsigned long off = swp_offset(e);
	int ret = 0;

	if (!si || !off || off >= si->max)
		return -EINVAL;
	spin_lock(&si->lock);
	if (si->swap_map[off] & SWAP_HAS_CACHE)
		ret = -EEXIST;
	else if (!(si->swap_map[off] & SWAP_COUNT_MASK))
		ret = -ENOENT;		/* freed under us */
	else
		__atomic_fetch_or(&si->swap_map[off], SWAP_HAS_CACHE, __ATOMIC_RELAXED);
	spin_unlock(&si->lock);
	return ret;
}

/*
 * A swap PTE (or shmem slot) went away: drop its reference and, when only the
 * swap cache still holds the slot, free the cached folio's slot too if
 * nobody maps the folio (zap of swapped memory frees swap at once).
 */
void free_swap_and_cache(swp_entry_t e)
{
	struct page *folio;

	swap_free(e);
	if (__swap_count(e))
		return;
	folio = swap_cache_get_folio(e);
	if (!folio)
		return;
	if (folio_trylock(folio)) {
		folio_free_swap(folio);
		folio_unlock(folio);
	}
	put_page(folio);
}

/* Drop @folio (locked) from the swap cache if no swap reference remains. */
bool folio_free_swap(struct page *folio)
{
	if (!PageSwapCache(folio) || test_page_flag(folio, PG_writeback))
		return false;
	if (__swap_count(page_swap_entry(folio)))
		return false;
	delete_from_swap_cache(folio);
	SetPageDirty(folio);	/* its only copy is in memory now */
	return true;
}
