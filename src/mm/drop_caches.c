/*
 * drop_caches.c - /proc/sys/vm/drop_caches, the administrator's request to
 * drop caches.  A write of 1..4 (anything else: EINVAL) is an action; the
 * file is write-only (reading it is EACCES, for root too).
 *
 * 2 (and 3) runs every shrinker until a round frees next to nothing, as
 * drop_slab() does: the one shrinker the model has is the THP deferred
 * split queue, so each partly unmapped large folio on it is split through
 * rmap (its unmapped pages freed) and counted in thp_split_page; then
 * drop_slab is counted.  Nobody's mmap_lock is held: a fork or a fault of
 * the folio's processes may run beside the split.
 *
 * 1 (and 3) would drop clean page-cache folios that nothing maps; on a
 * 6.18 kernel that includes shmem pages only ever read, never written.
 * The model keeps no dirty state for shmem folios, so it cannot tell
 * those from written ones: it refuses 1 and 3 (EOPNOTSUPP) rather than
 * drop data or pretend it dropped nothing.  4 (the "stop logging" bit)
 * does nothing else, as in the kernel.
 *
 * Locks: none of its own; deferred_split_scan takes the split queue lock
 * and each folio's lock.
 */
#include <errno.h>

#include "internal.h"
#include "swap.h"

#define SHRINK_BATCH	128	/* objects a shrinker scans per call */

static void drop_slab(void)
{
	unsigned long freed;
	unsigned int shift = 0;

	do {
		freed = 0;
		while (deferred_split_count()) {
			unsigned long n = deferred_split_scan(SHRINK_BATCH);

			if (!n)
				break;
			freed += n;
		}
	} while ((freed >> shift++) > 1);
}

int drop_caches_sysctl_handler(long v)
{
	if (v & 1)
		return -EOPNOTSUPP;
	if (v & 2) {
		drop_slab();
		count_vm_event(DROP_SLAB);
	}
	return 0;
}
