/*
 * shmem.c - shared memory files: memfd and the file behind every shared
 * anonymous mapping.  Each file has a page cache (one slot per page of its
 * fixed size) and the list of VMAs that map it (i_mmap, the file rmap).
 *
 * Locks: mapping->lock guards the slots and nrpages; i_mmap_rwsem the VMA
 * list.  The cache holds one reference on each page; a mapping holds
 * another.  Reads allocate, as shmem does (no zero page for shmem).
 */
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"

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

struct page *shmem_find_page(struct file *f, unsigned long index)
{
	struct address_space *as = f->mapping;

	return index < as->size_pages ? __atomic_load_n(&as->pages[index], __ATOMIC_ACQUIRE) : NULL;
}

int shmem_get_page(struct file *f, unsigned long index, struct page **out)
{
	struct address_space *as = f->mapping;
	struct page *p, *new = NULL;

	if (index >= as->size_pages)
		return -EINVAL;
	for (;;) {
		spin_lock(&as->lock);
		p = as->pages[index];
		if (p) {
			get_page(p);
			spin_unlock(&as->lock);
			if (new)
				put_page(new);
			*out = p;
			return 0;
		}
		if (new) {
			new->mapping = as;
			new->index = index;
			set_page_flag(new, PG_swapbacked);
			set_page_flag(new, PG_uptodate);
			__atomic_store_n(&as->pages[index], new, __ATOMIC_RELEASE);
			as->nrpages++;
			count_vm_event(NR_SHMEM);
			get_page(new);	/* the caller's; the cache keeps the first */
			spin_unlock(&as->lock);
			*out = new;
			return 0;
		}
		spin_unlock(&as->lock);
		new = alloc_page(GFP_ZERO | GFP_NODATA_OK);
		if (!new)
			return -ENOMEM;
	}
}

/* Drop the cache's pages in [start, end) (page indexes); mappings must
 * have been zapped already. */
void shmem_truncate_range(struct file *f, unsigned long start, unsigned long end)
{
	struct address_space *as = f->mapping;

	end = min(end, as->size_pages);
	for (unsigned long i = start; i < end; i++) {
		struct page *p;

		spin_lock(&as->lock);
		p = as->pages[i];
		if (p) {
			__atomic_store_n(&as->pages[i], NULL, __ATOMIC_RELEASE);
			as->nrpages--;
			count_vm_events(NR_SHMEM, -1);
			p->mapping = NULL;
		}
		spin_unlock(&as->lock);
		if (p)
			put_page(p);
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
