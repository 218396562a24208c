/*
 * thp_disable.c - the per-process THP switch: prctl(PR_SET_THP_DISABLE) and
 * PR_GET_THP_DISABLE, as 6.18 has them.
 *
 * PR_SET_THP_DISABLE, 1 turns THPs off for every VMA of the process
 * (MMF_DISABLE_THP_COMPLETELY): no THP at fault, none from khugepaged,
 * and MADV_COLLAPSE refuses too.  With the flag PR_THP_DISABLE_EXCEPT_ADVISED
 * (6.18+) only VMAs nobody advised are off (MMF_DISABLE_THP_EXCEPT_ADVISED):
 * a MADV_HUGEPAGE VMA still gets THPs as the sysfs modes say, and
 * MADV_COLLAPSE, an advice itself, still collapses.  PR_SET_THP_DISABLE, 0
 * (no flags) clears either.  PR_GET_THP_DISABLE returns 0, 1 (completely)
 * or 3 (1 | the except-advised flag).  Unused arguments must be 0 and
 * unknown flags are refused (-EINVAL).  The setting is the mm's: fork
 * gives the child the parent's.  VM_NOHUGEPAGE keeps a VMA off whatever
 * the setting.
 *
 * Locks: mm->thp_disable changes under mmap_lock for writing and is read
 * with READ_ONCE where THP decisions are made (under mmap_lock or a VMA
 * lock).
 */
#include "internal.h"

#define PR_SET_THP_DISABLE		41
#define PR_GET_THP_DISABLE		42
#define PR_THP_DISABLE_EXCEPT_ADVISED	(1UL << 1)

bool vma_thp_disabled(struct vm_area_struct *v, unsigned long vm_flags,
		      bool forced_collapse)
{
	unsigned int d = READ_ONCE(v->vm_mm->thp_disable);

	if (vm_flags & VM_NOHUGEPAGE)
		return true;
	if (d & MMF_DISABLE_THP_COMPLETELY)
		return true;
	if ((vm_flags & VM_HUGEPAGE) || forced_collapse)
		return false;
	return d & MMF_DISABLE_THP_EXCEPT_ADVISED;
}

static long prctl_set_thp_disable(struct mm_struct *mm, unsigned long on,
				  unsigned long flags, unsigned long a4, unsigned long a5)
{
	unsigned int d = 0;

	if (a4 || a5)
		return -EINVAL;
	if (flags & ~PR_THP_DISABLE_EXCEPT_ADVISED)
		return -EINVAL;
	if (!on && flags)
		return -EINVAL;
	if (on)
		d = flags ? MMF_DISABLE_THP_EXCEPT_ADVISED : MMF_DISABLE_THP_COMPLETELY;
	mmap_write_lock(mm);
	WRITE_ONCE(mm->thp_disable, d);
	mmap_write_unlock(mm);
	return 0;
}

static long prctl_get_thp_disable(struct mm_struct *mm, unsigned long a2,
				  unsigned long a3, unsigned long a4, unsigned long a5)
{
	unsigned int d = READ_ONCE(mm->thp_disable);

	if (a2 || a3 || a4 || a5)
		return -EINVAL;
	if (d & MMF_DISABLE_THP_COMPLETELY)
		return 1;
	if (d & MMF_DISABLE_THP_EXCEPT_ADVISED)
		return 1 | PR_THP_DISABLE_EXCEPT_ADVISED;
	return 0;
}

long mm_prctl(struct mm_struct *mm, int option, unsigned long a2, unsigned long a3,
	      unsigned long a4, unsigned long a5)
{
	switch (option) {
	case PR_SET_THP_DISABLE:
		return prctl_set_thp_disable(mm, a2, a3, a4, a5);
	case PR_GET_THP_DISABLE:
		return prctl_get_thp_disable(mm, a2, a3, a4, a5);
	case 67:	/* PR_SET_MEMORY_MERGE */
	case 68:	/* PR_GET_MEMORY_MERGE */
		return prctl_memory_merge(mm, option, a2, a3, a4, a5);
	}
	return -EINVAL;
}
