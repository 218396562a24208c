/*
 * mseal.c - mseal(2): sealing a range of VMAs against changes of their
 * layout and protection (VM_SEALED, 64-bit only, 6.10+; the 6.18 rules).
 *
 * mseal(start, len, 0) needs flags 0 and a page-aligned start (-EINVAL);
 * len is rounded up to pages, a zero length does nothing, and the range
 * must be mapped without a gap (-ENOMEM, nothing sealed).  Each VMA in the
 * range then gets VM_SEALED, split at the range's ends and merged with
 * sealed neighbours as any flag change is; sealing twice is no error, and
 * nothing unseals.  A sealed VMA refuses with -EPERM:
 *  - munmap of any part of it, and mmap(MAP_FIXED) or mremap(MREMAP_FIXED)
 *    over it (the unmap before the new mapping: do_vmi_munmap);
 *  - mremap of it, to move, shrink or grow it (check_prep_vma);
 *  - mprotect of it (each VMA as mprotect reaches it: what came before a
 *    sealed VMA stays changed);
 *  - the discarding advice (DONTNEED, DONTNEED_LOCKED, FREE, REMOVE,
 *    DONTFORK, WIPEONFORK, GUARD_INSTALL) on private anonymous memory the
 *    process cannot write (can_madvise_modify); other advice, writable
 *    memory and file or shared memory are not refused.
 * Fork copies the flag with the VMA.
 *
 * Locks: mmap_lock for writing (mmap_write_lock: faults see no half-done
 * split); the checks run under the lock their callers hold.
 */
#include <sys/mman.h>
#include "internal.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

/* range_contains_unmapped: does [start, end) have a hole? */
static bool range_has_hole(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	unsigned long reached = start;
	struct vm_area_struct *v;

	for (v = find_vma(mm, start); v && v->vm_start < end; v = vma_next(mm, v)) {
		if (v->vm_start > reached)
			return true;
		reached = v->vm_end;
	}
	return reached < end;
}

/* mseal_apply: seal each VMA of a range known to have no hole. */
static int mseal_apply(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	unsigned long addr = start;

	while (addr < end) {
		struct vm_area_struct *v = find_vma(mm, addr);
		unsigned long stop = min(v->vm_end, end);
		int err;

		if (!(v->vm_flags & VM_SEALED)) {
			err = vma_modify_flags(v, addr, stop, v->vm_flags | VM_SEALED);
			if (err)
				return err;
		}
		addr = stop;
	}
	return 0;
}

int do_mseal(struct mm_struct *mm, unsigned long start, unsigned long len_in,
	     unsigned long flags)
{
	unsigned long len, end;
	int ret;

	if (flags)
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	len = ALIGN_UP(len_in, PAGE_SIZE);
	if (len_in && !len)
		return -EINVAL;		/* rounded up past the top */
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	mmap_write_lock(mm);
	ret = range_has_hole(mm, start, end) ? -ENOMEM : mseal_apply(mm, start, end);
	mmap_write_unlock(mm);
	return ret;
}

/* is_ro_anon: private anonymous memory this process cannot write. */
static bool is_ro_anon(const struct vm_area_struct *v)
{
	if (v->vm_file || (v->vm_flags & VM_SHARED))
		return false;
	return !(v->vm_flags & VM_WRITE);
}

static bool madvise_discards(int behavior)
{
	switch (behavior) {
	case MADV_FREE:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_REMOVE:
	case MADV_DONTFORK:
	case MADV_WIPEONFORK:
	case MADV_GUARD_INSTALL:
		return true;
	}
	return false;
}

bool can_madvise_modify(const struct vm_area_struct *v, int behavior)
{
	if (!vma_is_sealed(v))
		return true;
	return !madvise_discards(behavior) || !is_ro_anon(v);
}
