/*
 * page_io.c - swap I/O: a folio is written to its slot with pwrite and read
 * back with pread, synchronously.  As 6.18 does, a zero-filled folio is not
 * written at all: the slot is marked in the area's zeromap (swpout_zero) and
 * reads back as zeroes (swpin_zero).  The debug knobs swap_fail_write and
 * swap_fail_read make the next N writes or reads fail with -EIO.
 */
#include <unistd.h>
#include "swap.h"

bool is_folio_zero_filled(struct page *folio)
{
	const uint64_t *w = page_address(folio);

	if (phys.no_data)
		return false;
	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		if (__atomic_load_n(&w[i], __ATOMIC_RELAXED))
			return false;
	return true;
}

static bool inject(int *knob)
{
	int v = READ_ONCE(*knob);

	while (v > 0) {
		if (__atomic_compare_exchange_n(knob, &v, v - 1, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/*
 * pwrite of @folio's data, read word by word as every other reader of page
 * data does (relaxed atomic loads: the simulated CPUs store that way).  The
 * folio is unmapped, but the CPU that last wrote it may have unmapped it
 * itself (MADV_DONTNEED of a shmem page, which stays in the cache): nothing
 * orders its stores before this read for ThreadSanitizer but that.
 */
static ssize_t swap_pwrite_page(int fd, struct page *folio, off_t pos)
{
	const uint64_t *w = page_address(folio);
	uint64_t buf[PAGE_SIZE / 8];

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		buf[i] = __atomic_load_n(&w[i], __ATOMIC_RELAXED);
	return pwrite(fd, buf, PAGE_SIZE, pos);
}

/*
 * The data of @folio to (@write) or from slot @off of @si; none moves when
 * the machine keeps no data.  0, or -EIO (injected by the debug knob, or a
 * failed pwrite/pread), counted as a swap I/O error.
 */
static int swap_slot_io(struct swap_info_struct *si, unsigned long off, struct page *folio,
			bool write)
{
	off_t pos = (off_t)off << PAGE_SHIFT;
	ssize_t n = PAGE_SIZE;

	if (!inject(write ? &knobs.swap_fail_write : &knobs.swap_fail_read)) {
		if (!phys.no_data)
			n = write ? swap_pwrite_page(si->fd, folio, pos) :
				    pread(si->fd, page_address(folio), PAGE_SIZE, pos);
		if (n == PAGE_SIZE)
			return 0;
	}
	count_vm_event(write ? MMLAB_SWAP_WRITE_ERRORS : MMLAB_SWAP_READ_ERRORS);
	return -EIO;
}

/* Write a locked folio in the swap cache to its slot: 0 when the write
 * is under way, 1 when nothing was written (zero-filled), -errno. */
int swap_writeout(struct page *folio)
{
	swp_entry_t e = page_swap_entry(folio);
	struct swap_info_struct *si = swp_swap_info(e);
	unsigned long off = swp_offset(e);
	bool zero = is_folio_zero_filled(folio);

	spin_lock(&si->lock);
	si->zeromap[off] = zero;
	spin_unlock(&si->lock);
	if (zero) {	/* nothing to write: the zeromap holds it */
		count_vm_event(SWPOUT_ZERO);
		clear_page_flag(folio, PG_dirty);
		return 1;
	}
	if (swap_slot_io(si, off, folio, true))
		return -EIO;
	count_vm_event(PSWPOUT);
	count_vm_events(PGPGOUT, PAGE_SIZE / 1024);	/* block I/O, in KiB */
	clear_page_flag(folio, PG_dirty);
	return 0;
}

/* Read a locked, new folio in from its slot. */
int swap_read_folio(struct page *folio)
{
	swp_entry_t e = page_swap_entry(folio);
	struct swap_info_struct *si = swp_swap_info(e);
	unsigned long off = swp_offset(e);
	bool zero;

	spin_lock(&si->lock);
	zero = si->zeromap[off];
	spin_unlock(&si->lock);
	if (zero) {
		frame_clear(page_to_pfn(folio));
		charge_this_cpu(COST_PAGE_ZERO, 1);
		count_vm_event(SWPIN_ZERO);
		return 0;
	}
	if (swap_slot_io(si, off, folio, false))
		return -EIO;
	count_vm_event(PSWPIN);
	count_vm_events(PGPGIN, PAGE_SIZE / 1024);
	return 0;
}
