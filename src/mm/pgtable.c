/*
 * pgtable.c - allocating, finding and locking page tables, and the
 * mm_struct's life.
 *
 * Tables are simulated frames marked PG_table; the frame's struct page
 * carries its split lock (ptl): a PTE table's ptl is the PTE lock, a PMD
 * table's ptl is the PMD lock.  PGD and PUD entries are populated under
 * mm->page_table_lock.  A new table is filled before it is published with a
 * release store, so the hardware walker never sees a half-made table.
 *
 * pte_offset_map() enters an RCU read-side section that pte_unmap() leaves:
 * the PTE table it returns cannot be freed under the caller, though it may
 * be detached from the PMD (then pte_offset_map_lock() notices and retries,
 * as upstream does since 6.5).
 */
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"

uint64_t next_context_id = 1;

static struct page *alloc_table(struct mm_struct *mm, unsigned long addr)
{
	struct page *p = alloc_page(GFP_ZERO);

	if (!p)
		return NULL;
	set_page_flag(p, PG_table);
	spin_lock_init(&p->ptl);
	p->mapping = mm;
	p->index = addr;
	INIT_LIST_HEAD(&p->lru);	/* a PMD table: deposited PTE tables */
	count_vm_event(NR_PAGETABLE);
	return p;
}

struct page *pte_alloc_one(struct mm_struct *mm)
{
	return alloc_table(mm, 0);
}

#define TABLE_POISON	0xdead4ead00000002ULL	/* not present; never a real entry */

static void free_table_now(struct page *p)
{
	/* poison: a walker that reads a freed table sees it */
	pteval_t *t = page_address(p);

	for (int i = 0; i < PTRS_PER_PTE; i++)
		pte_write(t + i, TABLE_POISON);
	clear_page_flag(p, PG_table);
	clear_page_flag(p, PG_freed_table);
	count_vm_events(NR_PAGETABLE, -1);
	p->mapping = NULL;
	atomic_set(&p->_refcount, 0);
	__free_pages(p, 0);
}

/*
 * A detached table reaches its grace period empty: it was unlinked only
 * after a check under its lock that every entry was none.  An entry found
 * now was written after that check, through a pointer to the table taken
 * before it was unlinked: that write is lost (and the page it maps
 * leaked), the race pte_offset_map_lock()'s recheck of the PMD prevents.
 */
static void table_rcu_free(struct rcu_head *h)
{
	struct page *p = container_of(h, struct page, rcu_head);
	pteval_t *t = page_address(p);

	for (int i = 0; i < PTRS_PER_PTE; i++) {
		pteval_t e = __atomic_load_n(t + i, __ATOMIC_ACQUIRE);

		if (!pte_none(e) && e != TABLE_POISON) {
			fprintf(stderr, "BUG: a detached page table (pfn %lu, for 0x%lx) "
				"reached its free with entry %d = 0x%llx: a write into "
				"it after it was unlinked is lost\n", page_to_pfn(p),
				p->index, i, (unsigned long long)e);
			abort();
		}
	}
	free_table_now(p);
}

void pte_free_rcu(struct page *table)
{
	set_page_flag(table, PG_freed_table);
	call_rcu(&table->rcu_head, table_rcu_free);
}

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = calloc(1, sizeof(*mm));
	struct page *pgd;

	if (!mm)
		return NULL;
	pgd = alloc_table(mm, 0);
	if (!pgd) {
		free(mm);
		return NULL;
	}
	mm->pgd_pfn = page_to_pfn(pgd);
	init_rwsem(&mm->mmap_lock);
	init_rwsem(&mm->vma_lock_all);
	range_tree_init(&mm->mm_mt);
	spin_lock_init(&mm->page_table_lock);
	mm->context_id = __atomic_fetch_add(&next_context_id, 1, __ATOMIC_RELAXED);
	mm->tlb_gen = 1;
	mm->mmap_base = 0x7f0000000000UL;
	mm->users = 1;
	mm->mm_id = (unsigned int)(mm->context_id % 0xfffffeU) + 1;
	INIT_LIST_HEAD(&mm->khugepaged_node);
	/* the kernel counts the PGD in pgtables_bytes too (mm_pgtables_bytes
	 * starts at 0 and pgd_alloc does not add it): keep 0 */
	return mm;
}

void mmdrop(struct mm_struct *mm)
{
	/* tables were freed by exit_mmap; the PGD goes now */
	userfaultfd_exit(mm);
	free_table_now(pfn_to_page(mm->pgd_pfn));
	free(mm);
}

pteval_t *pgd_offset(struct mm_struct *mm, unsigned long addr)
{
	return table_of(mm->pgd_pfn) + pgd_index(addr);
}

pteval_t *pud_offset(pteval_t *pgd, unsigned long addr)
{
	return table_of(pte_pfn(pte_read(pgd))) + pud_index(addr);
}

pteval_t *pmd_offset(pteval_t *pud, unsigned long addr)
{
	return table_of(pte_pfn(pte_read(pud))) + pmd_index(addr);
}

/* Populate *entry with a new table under @lock unless someone beat us. */
static int populate(struct mm_struct *mm, pteval_t *entry, spinlock_t *lock,
		    unsigned long addr)
{
	struct page *t = alloc_table(mm, addr);

	if (!t)
		return -ENOMEM;
	spin_lock(lock);
	if (pte_none(pte_read(entry))) {
		mm_inc_nr_ptes(mm);
		pte_write(entry, table_entry(page_to_pfn(t)));
		t = NULL;
	}
	spin_unlock(lock);
	if (t)
		free_table_now(t);
	return 0;
}

pteval_t *pud_alloc(struct mm_struct *mm, pteval_t *pgd, unsigned long addr)
{
	if (pte_none(pte_read(pgd)) &&
	    populate(mm, pgd, &mm->page_table_lock, addr & PGDIR_MASK))
		return NULL;
	return pud_offset(pgd, addr);
}

pteval_t *pmd_alloc(struct mm_struct *mm, pteval_t *pud, unsigned long addr)
{
	if (pte_none(pte_read(pud)) &&
	    populate(mm, pud, &mm->page_table_lock, addr & PUD_MASK))
		return NULL;
	return pmd_offset(pud, addr);
}

/* The PMD entry covering @addr, or NULL when the PGD or PUD level is empty
 * (mm_find_pmd).  Tables are freed by RCU: a caller without mmap_lock holds
 * an RCU read-side section around its use. */
pteval_t *mm_find_pmd(struct mm_struct *mm, unsigned long addr)
{
	pteval_t *pgd, *pud;

	if (addr >= TASK_SIZE)
		return NULL;
	pgd = pgd_offset(mm, addr);
	if (pte_none(pte_read(pgd)))
		return NULL;
	pud = pud_offset(pgd, addr);
	if (pte_none(pte_read(pud)))
		return NULL;
	return pmd_offset(pud, addr);
}

spinlock_t *pmd_lockptr(pteval_t *pmd)
{
	return &virt_to_table_page(pmd)->ptl;
}

int __pte_alloc(struct mm_struct *mm, pteval_t *pmd)
{
	return populate(mm, pmd, pmd_lockptr(pmd),
			virt_to_table_page(pmd)->index);
}

pteval_t *pte_offset_map(pteval_t *pmd, unsigned long addr, pteval_t *pmdval)
{
	pteval_t v;

	rcu_read_lock();
	v = pte_read(pmd);
	if (pte_none(v) || pmd_leaf(v) || !pte_hw_present(v)) {
		rcu_read_unlock();
		return NULL;
	}
	if (pmdval)
		*pmdval = v;
	return table_of(pte_pfn(v)) + pte_index(addr);
}

void pte_unmap(pteval_t *pte)
{
	(void)pte;
	rcu_read_unlock();
}

pteval_t *pte_offset_map_lock(struct mm_struct *mm, pteval_t *pmd,
			      unsigned long addr, spinlock_t **ptlp)
{
	for (;;) {
		pteval_t pmdval;
		pteval_t *pte = pte_offset_map(pmd, addr, &pmdval);
		spinlock_t *ptl;

		if (!pte)
			return NULL;
		ptl = &pfn_to_page(pte_pfn(pmdval))->ptl;
		spin_lock(ptl);
		/* debug/skip_pmd_recheck: a deliberate bug, for explore */
		if (likely(pte_read(pmd) == pmdval) ||
		    READ_ONCE(knobs.skip_pmd_recheck)) {
			*ptlp = ptl;
			return pte;
		}
		/* the table was detached under us: look again */
		spin_unlock(ptl);
		pte_unmap(pte);
		count_vm_event(MMLAB_PTE_MAP_RETRIES);
	}
}

void pte_unmap_unlock(pteval_t *pte, spinlock_t *ptl)
{
	spin_unlock(ptl);
	pte_unmap(pte);
}
