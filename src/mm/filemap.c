/*
 * filemap.c - regular files on a disk filesystem (ext4 as this host's root
 * is): a page cache whose folios are not swap-backed, in front of a disk
 * that holds what was written back.
 *
 * The page cache itself is the one shmem.c keeps (mapping->i_pages, the
 * i_mmap rmap, truncation against faults); a mapping with ->disk differs
 * where the kernel's filemap and the filesystem differ from shmem:
 *
 * - a folio is not PG_swapbacked: it sits on the file LRU, counts in
 *   RssFile (MM_FILEPAGES), and reclaim never swaps it: a clean one is
 *   dropped (its data is on the disk), a dirty one is written back first;
 * - a folio that enters the cache is read from the disk (filemap_fault
 *   counts a major fault), zero where the disk has no block (a hole); a
 *   read fault that misses the cache reads around it first (the mmap
 *   read-around of do_sync_mmap_readahead: read_ahead_kb centred on the
 *   page; from it onwards under MADV_SEQUENTIAL, none under MADV_RANDOM),
 *   and the fault, retried, maps the fault-around window of what is now
 *   cached;
 * - fallocate allocates blocks, not page-cache folios; truncation and hole
 *   punching free the blocks too, and zero the partial page's bytes on the
 *   disk as well as in a cached folio (ext4_block_truncate_page).
 *
 * Not modelled: large folios.  ext4 on 6.18 reads and writes its page
 * cache in large folios, and fault-around maps a whole large folio that
 * fits; the model's disk files hold small folios only, so a fault maps the
 * 64 KiB window and no more (RSS after faults on a file written or read
 * in bulk is lower than the kernel's).  Nor is the writenotify of shared
 * writable mappings (page_mkwrite): a dirty PTE dirties its folio when it
 * is unmapped or written back, which is all the model needs.
 *
 * The disk is mapping->blocks: per page index, a PAGE_SIZE copy made by
 * writeback, or nothing (never written, or freed).  Only reclaim writes
 * back (the flusher threads and their 30 s expiry are not modelled).  6.18's
 * reclaim writes no filesystem folio itself: it marks a dirty one for
 * immediate reclaim (PG_reclaim, which shares its bit with PG_readahead, so
 * fault-around leaves the folio alone until a fault of its own), keeps it
 * active and wakes the flusher threads.  In the model kswapd's pass writes
 * it back in their stead; direct reclaim and MADV_PAGEOUT only unmap and
 * mark it.
 *
 * Locks: mapping->lock guards the blocks (stores and frees; a block is
 * read under it too).  Writeback holds the folio lock, so a fault cannot
 * read the block while its folio is still in the cache being written.
 */
#include <limits.h>
#include <stdlib.h>
#include "swap.h"
#include "shmem_huge.h"

static int64_t nr_disk_pages;	/* atomic: file folios in page caches */

/* The page-cache count of @as changes by @nr folios (NR_SHMEM for shmem,
 * the file pages of a disk file). */
void filemap_account(struct address_space *as, long nr)
{
	if (as->disk)
		atomic_add(&nr_disk_pages, nr);
	else
		count_vm_events(NR_SHMEM, nr);
}

/* Page-cache folios of disk files, for NR_FILE_PAGES. */
int64_t filemap_nr_pages(void)
{
	return READ_ONCE(nr_disk_pages);
}

/* A new regular file, empty: open for reading and writing; no seals (a
 * regular file has none: F_ADD_SEALS is -EINVAL). */
struct file *filemap_file_create(const char *name)
{
	struct file *f = shmem_file_setup(name, 0, false);

	if (!f)
		return NULL;
	f->mapping->disk = true;
	f->mapping->i_mode = 0600;	/* mkstemp's */
	xa_init(&f->mapping->blocks);
	return f;
}

/*
 * filemap_read_folio: the new folio @folio (zeroed, not yet in the cache)
 * gets page @index's bytes from the disk; a hole stays zero.  Called under
 * mapping->lock, just before the folio goes in: a block is freed only
 * under that lock, and written only from a folio in the cache.
 */
void filemap_read_folio(struct address_space *as, unsigned long index, struct page *folio)
{
	void *b = xa_load(&as->blocks, index);

	if (b && !phys.no_data)
		memcpy(pfn_to_virt(page_to_pfn(folio)), b, PAGE_SIZE);
}

/*
 * Reclaim writes back a dirty, unmapped, locked file folio (the
 * filesystem's writepage): its bytes go to its block, and it is clean.
 * Returns 1 (written at once: the caller may drop it in this pass), or
 * -ENOMEM.
 */
int filemap_writeout(struct page *folio)
{
	struct address_space *as = folio->mapping;
	void *b, *old;

	if (!as || !as->disk)
		return -EINVAL;
	b = malloc(PAGE_SIZE);
	if (!b)
		return -ENOMEM;
	if (!phys.no_data)
		memcpy(b, pfn_to_virt(page_to_pfn(folio)), PAGE_SIZE);
	spin_lock(&as->lock);
	old = xa_load(&as->blocks, folio->index);
	if (old) {
		memcpy(old, b, PAGE_SIZE);
		spin_unlock(&as->lock);
		free(b);
	} else if (xa_store(&as->blocks, folio->index, b)) {
		spin_unlock(&as->lock);
		free(b);
		return -ENOMEM;
	} else {
		spin_unlock(&as->lock);
	}
	clear_page_flag(folio, PG_dirty);
	return 1;
}

/*
 * do_sync_mmap_readahead's read-around for a read fault at @index that
 * missed the cache: the pages of the window (read_ahead_kb, centred on
 * @index; from @index on for VM_SEQ_READ; none for VM_RAND_READ) that are
 * not cached are read in, clean and uptodate, within i_size.  The I/O is
 * done at once (the kernel's completes while the fault waits and retries).
 */
void filemap_readaround(struct file *f, unsigned long index, unsigned long vm_flags)
{
	unsigned long ra = READ_ONCE(knobs.read_ahead_kb) >> (PAGE_SHIFT - 10);
	unsigned long start, end, size = shmem_size(f);

	if (!f->mapping->disk || (vm_flags & VM_RAND_READ) || ra <= 1)
		return;
	start = (vm_flags & VM_SEQ_READ) ? index : index - min(index, ra / 2);
	end = min(start + ra, size);
	for (unsigned long i = start; i < end; i++) {
		struct page *folio;

		if (!shmem_slot_empty(f, i))
			continue;
		if (shmem_get_folio(f, i, SGP_CACHE, &folio))
			break;		/* out of memory, or truncated */
		folio_unlock(folio);
		put_page(folio);
		cpu_poll();
	}
}

/* Bytes [@from, @to) of the block at @index, if there is one, zeroed. */
static void block_zero_range(struct address_space *as, unsigned long index,
			     unsigned int from, unsigned int to)
{
	uint8_t *b;

	spin_lock(&as->lock);
	b = xa_load(&as->blocks, index);
	if (b && from < to)
		memset(b + from, 0, to - from);
	spin_unlock(&as->lock);
}

/*
 * The disk's side of a truncation or hole punch of bytes [@lstart, @lend]
 * (@lend -1: to the end): the blocks of whole pages are freed, the partial
 * pages at either end are zeroed.  The cache's side is shmem_undo_range's.
 */
void filemap_truncate_blocks(struct address_space *as, int64_t lstart, int64_t lend)
{
	unsigned long first = (unsigned long)(((uint64_t)lstart + PAGE_SIZE - 1) >> PAGE_SHIFT);
	unsigned long end = lend < 0 ? ULONG_MAX : (unsigned long)((uint64_t)(lend + 1) >> PAGE_SHIFT);
	unsigned int from = lstart & (PAGE_SIZE - 1);
	unsigned int to = lend < 0 ? 0 : (unsigned int)((lend + 1) & (PAGE_SIZE - 1));
	unsigned long index = first;
	void *b;

	if (!as->disk)
		return;
	if (from) {
		bool same = lend >= 0 && (lstart >> PAGE_SHIFT) == (lend >> PAGE_SHIFT);

		block_zero_range(as, (unsigned long)(lstart >> PAGE_SHIFT), from,
				 same && to ? to : PAGE_SIZE);
		if (same)
			to = 0;
	}
	if (to)
		block_zero_range(as, (unsigned long)(lend >> PAGE_SHIFT), 0, to);
	for (;;) {
		spin_lock(&as->lock);
		b = first < end ? xa_find(&as->blocks, &index, end - 1) : NULL;
		if (b)
			xa_store(&as->blocks, index, NULL);
		spin_unlock(&as->lock);
		if (!b)
			break;
		free(b);
		if (++index == 0 || index >= end)
			break;
	}
}

/* The inode is gone (its last file closed): the disk's blocks go too. */
void filemap_evict(struct address_space *as)
{
	if (!as->disk)
		return;
	filemap_truncate_blocks(as, 0, -1);
	xa_destroy(&as->blocks);
}

/* The bytes [@off, @off + @len) of page @index's folio: read into @buf, or
 * written from it (the folio then dirty).  @sgp as shmem_get_folio's: a
 * read of a shmem hole finds no folio and reads zeros. */
static int file_page_io(struct file *f, unsigned long index, unsigned int off,
			size_t len, void *buf, bool write, uint64_t size)
{
	struct page *folio;
	enum sgp_type sgp = write || f->mapping->disk ? SGP_CACHE : SGP_READ;
	int ret = write ? shmem_get_folio_write(f, index, sgp, size, &folio) :
			  shmem_get_folio(f, index, sgp, &folio);
	uint8_t *d;

	if (ret)
		return ret;
	if (!folio) {
		memset(buf, 0, len);
		return 0;
	}
	d = phys.no_data ? NULL : (uint8_t *)pfn_to_virt(page_to_pfn(folio)) + off;
	if (write) {
		if (d)
			memcpy(d, buf, len);
		SetPageDirty(folio);
	} else if (d) {
		memcpy(buf, d, len);
	} else {
		memset(buf, 0, len);
	}
	folio_unlock(folio);
	put_page(folio);
	return 0;
}

/*
 * pread(2) and pwrite(2) of a file (generic_file_read_iter and
 * generic_perform_write; shmem's alike): bytes copied through the page
 * cache, a page at a time.  A read stops at i_size and reads a disk page
 * into the cache (shmem's holes read as zeros without one); a write grows
 * the file first and dirties each folio it copies into.  Returns the bytes
 * done or -errno: -EBADF (not open for that), -EINVAL (a negative offset),
 * -EPERM (a write under F_SEAL_WRITE/FUTURE_WRITE, or growing under
 * F_SEAL_GROW), -EFBIG, -ENOMEM.
 */
long file_rw(struct file *f, int64_t pos, void *buf, size_t len, bool write)
{
	struct address_space *as = f->mapping;
	size_t done = 0;
	int64_t old_size;
	long ret = 0;

	if (!(f->f_mode & (write ? FMODE_WRITE : FMODE_READ)))
		return -EBADF;
	if (pos < 0)
		return -EINVAL;
	if (!len)
		return 0;
	if ((uint64_t)pos + len > (uint64_t)INT64_MAX)
		return -EFBIG;
	down_write(&as->i_rwsem);
	old_size = as->i_size;
	if (write) {
		if (as->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE) ||
		    ((as->seals & F_SEAL_GROW) && pos + (int64_t)len > as->i_size)) {
			ret = -EPERM;
			goto out;
		}
		if (pos + (int64_t)len > as->i_size)
			WRITE_ONCE(as->i_size, pos + (int64_t)len);
	} else if (pos >= as->i_size) {
		goto out;
	} else if (pos + (int64_t)len > as->i_size) {
		len = (size_t)(as->i_size - pos);
	}
	while (done < len) {
		uint64_t at = (uint64_t)pos + done;
		unsigned int off = at & (PAGE_SIZE - 1);
		size_t n = min(len - done, (size_t)(PAGE_SIZE - off));

		/* the size shmem_enabled=within_size sees: the kernel grows
		 * i_size page by page as the write goes */
		ret = file_page_io(f, (unsigned long)(at >> PAGE_SHIFT), off, n,
				   (uint8_t *)buf + done, write, max((uint64_t)old_size, at + n));
		if (ret)
			break;
		done += n;
		cpu_poll();
	}
out:
	up_write(&as->i_rwsem);
	return done ? (long)done : ret;
}
