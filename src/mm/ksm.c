/*
 * ksm.c - KSM's per-process switch: prctl(PR_SET_MEMORY_MERGE) and
 * PR_GET_MEMORY_MERGE, as 6.18 has them, and which VMAs KSM may work on.
 *
 * The model has no KSM scanner (no pages are merged); what it keeps is the
 * VMA flag VM_MERGEABLE, because the flag takes part in VMA merging:
 * - MADV_MERGEABLE / MADV_UNMERGEABLE set and clear it on one range
 *   (madvise.c, through ksm_compatible);
 * - PR_SET_MEMORY_MERGE, 1 sets MMF_VM_MERGE_ANY on the mm and the flag on
 *   every VMA KSM can work on, without merging those VMAs with their
 *   neighbours (the kernel flips the flag in place).  From then on every new
 *   mapping and heap extension that KSM can work on gets the flag before the
 *   merge is tried (ksm_vma_flags), so it merges with a flagged neighbour.
 * - PR_SET_MEMORY_MERGE, 0 clears the flag on every VMA and the mm's switch
 *   (nothing to do when the switch is off).
 * - PR_GET_MEMORY_MERGE returns the switch (0 or 1).  Unused arguments must
 *   be 0 (-EINVAL).  fork gives the child the parent's switch (MMF_INIT_MASK).
 *
 * KSM cannot work on shared mappings, VM_IO/PFNMAP/MIXEDMAP/DONTEXPAND
 * (VM_SPECIAL) mappings or MAP_DROPPABLE ones (ksm_compatible).
 *
 * Locks: mm->merge_any and the VMAs' flags change under mmap_lock for
 * writing; ksm_vma_flags is called with mmap_lock held for writing.
 */
#include "internal.h"

#define PR_SET_MEMORY_MERGE	67
#define PR_GET_MEMORY_MERGE	68

bool ksm_compatible(unsigned long vm_flags)
{
	return !(vm_flags & (VM_SHARED | VM_MAYSHARE | VM_DONTEXPAND | VM_DROPPABLE));
}

unsigned long ksm_vma_flags(struct mm_struct *mm, unsigned long vm_flags)
{
	if (mm->merge_any && ksm_compatible(vm_flags))
		vm_flags |= VM_MERGEABLE;
	return vm_flags;
}

/* ksm_add_vmas / ksm_del_vmas: flip VM_MERGEABLE on every VMA in place */
static void ksm_set_vmas(struct mm_struct *mm, bool on)
{
	for (struct vm_area_struct *v = find_vma(mm, 0); v; v = vma_next(mm, v)) {
		unsigned long f = v->vm_flags;

		if (on && ksm_compatible(f))
			f |= VM_MERGEABLE;
		else if (!on)
			f &= ~VM_MERGEABLE;
		WRITE_ONCE(v->vm_flags, f);
	}
}

long prctl_memory_merge(struct mm_struct *mm, int option, unsigned long a2,
			unsigned long a3, unsigned long a4, unsigned long a5)
{
	if (option == PR_GET_MEMORY_MERGE) {
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		return READ_ONCE(mm->merge_any) ? 1 : 0;
	}
	if (a3 || a4 || a5)
		return -EINVAL;
	mmap_write_lock(mm);
	if (!!a2 != mm->merge_any) {
		ksm_set_vmas(mm, !!a2);
		WRITE_ONCE(mm->merge_any, !!a2);
	}
	mmap_write_unlock(mm);
	return 0;
}
