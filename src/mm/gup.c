/*
 * gup.c - a GUP-fast-style lockless page-table walker (get_user_pages_fast
 * without pinning): it reads PGD, PUD, PMD and PTE entries inside an RCU
 * read-side section and takes no page-table lock, the way the kernel's
 * lockless walkers do.  It is the victim page-table reclaim must not hurt:
 * a table freed under it would be read after free.  Freed table frames are
 * poisoned (pgtable.c), and this walker counts every poisoned entry it
 * meets in vmstat mmlab_walks_into_freed_tables.
 */
#include "swap.h"

#define TABLE_POISON	0xdead4ead00000002ULL

static bool entry_ok(pteval_t e)
{
	if (unlikely(e == TABLE_POISON)) {
		count_vm_event(MMLAB_WALKS_INTO_FREED_TABLES);
		return false;
	}
	return true;
}

/* Present pages of [addr, addr + npages pages); pfns[i] when non-NULL
 * (0 for none). */
long mmlab_gup_fast(struct mmlab_proc *p, uint64_t addr, uint64_t npages, uint64_t *pfns)
{
	struct mm_struct *mm;
	long present = 0;

	if (!p || (addr & ~PAGE_MASK) || addr >= TASK_SIZE ||
	    npages > ((TASK_SIZE - addr) >> PAGE_SHIFT))
		return -EINVAL;
	mm = p->mm;
	for (uint64_t i = 0; i < npages; i++) {
		unsigned long a = addr + (i << PAGE_SHIFT);
		pteval_t e, *t;
		uint64_t pfn = 0;

		rcu_read_lock();
		e = pte_read(pgd_offset(mm, a));
		if (!pte_none(e) && entry_ok(e)) {
			t = table_of(pte_pfn(e));
			e = pte_read(t + pud_index(a));
			if (!pte_none(e) && entry_ok(e)) {
				t = table_of(pte_pfn(e));
				e = pte_read(t + pmd_index(a));
				if (!pte_none(e) && entry_ok(e) && !pmd_leaf(e)) {
					t = table_of(pte_pfn(e));
					e = pte_read(t + pte_index(a));
					if (entry_ok(e) && pte_hw_present(e)) {
						pfn = pte_pfn(e);
						present++;
					}
				}
			}
		}
		rcu_read_unlock();
		if (pfns)
			pfns[i] = pfn;
	}
	return present;
}
