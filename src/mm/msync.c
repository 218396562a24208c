/*
 * msync.c - msync(2): the argument checks and the VMA walk of 6.18.
 *
 * The model's files are all shmem, whose fsync does nothing (its pages are
 * the file), so MS_SYNC writes nothing and MS_ASYNC never did anything
 * since 2.6.19; MS_INVALIDATE only refuses locked memory (-EBUSY).  What is
 * left is what a caller sees: -EINVAL for an unaligned address, unknown
 * flags or MS_SYNC with MS_ASYNC; -ENOMEM when the range runs over a hole -
 * at once for MS_ASYNC alone, after the mapped parts otherwise.
 *
 * mmap_lock is held for reading during the walk (the kernel drops it around
 * the fsync of each shared file mapping under MS_SYNC; here there is
 * nothing to wait for).
 */
#include <sys/mman.h>
#include "internal.h"

int do_msync(struct mm_struct *mm, unsigned long start, unsigned long len, int flags)
{
	struct vm_area_struct *v;
	unsigned long end;
	int unmapped_error = 0, error = -EINVAL;

	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return error;
	if (start & ~PAGE_MASK)
		return error;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return error;
	len = ALIGN_UP(len, PAGE_SIZE);
	end = start + len;
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	down_read(&mm->mmap_lock);
	v = find_vma(mm, start);
	for (;;) {
		error = -ENOMEM;
		if (!v)
			break;
		/* here start < v->vm_end */
		if (start < v->vm_start) {
			if (flags == MS_ASYNC)
				break;
			start = v->vm_start;
			if (start >= end)
				break;
			unmapped_error = -ENOMEM;
		}
		if ((flags & MS_INVALIDATE) && (v->vm_flags & VM_LOCKED)) {
			error = -EBUSY;
			break;
		}
		/* MS_SYNC of a shared file mapping: vfs_fsync_range, which
		 * shmem has nothing to do for */
		start = v->vm_end;
		error = 0;
		if (start >= end)
			break;
		v = find_vma(mm, start);
	}
	up_read(&mm->mmap_lock);
	return error ? error : unmapped_error;
}
